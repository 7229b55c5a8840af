from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subject_properties_type_0 import SubjectPropertiesType0


T = TypeVar("T", bound="Subject")


@_attrs_define
class Subject:
    """Who asks: AuthZEN's subject. Steward's subjects are its users (`usr_...`).

    Attributes:
        id (str):  Example: usr_2b8f.
        type_ (str): `user`: the only kind of subject Steward decides for. Example: user.
        properties (None | SubjectPropertiesType0 | Unset): Accepted and not used: Steward decides by role, not by
            attributes.
    """

    id: str
    type_: str
    properties: None | SubjectPropertiesType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subject_properties_type_0 import SubjectPropertiesType0

        id = self.id

        type_ = self.type_

        properties: dict[str, Any] | None | Unset
        if isinstance(self.properties, Unset):
            properties = UNSET
        elif isinstance(self.properties, SubjectPropertiesType0):
            properties = self.properties.to_dict()
        else:
            properties = self.properties

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
            }
        )
        if properties is not UNSET:
            field_dict["properties"] = properties

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.subject_properties_type_0 import SubjectPropertiesType0

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        def _parse_properties(data: object) -> None | SubjectPropertiesType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                properties_type_0 = SubjectPropertiesType0.from_dict(data)

                return properties_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubjectPropertiesType0 | Unset, data)

        properties = _parse_properties(d.pop("properties", UNSET))

        subject = cls(
            id=id,
            type_=type_,
            properties=properties,
        )

        subject.additional_properties = d
        return subject

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
