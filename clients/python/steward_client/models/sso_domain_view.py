from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoDomainView")


@_attrs_define
class SsoDomainView:
    """
    Attributes:
        domain (str):
        proven (bool): Whether a verified address proved it: only a proven domain routes anyone.
        proven_by (None | str | Unset): The verified address that proved it.
    """

    domain: str
    proven: bool
    proven_by: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domain = self.domain

        proven = self.proven

        proven_by: None | str | Unset
        if isinstance(self.proven_by, Unset):
            proven_by = UNSET
        else:
            proven_by = self.proven_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domain": domain,
                "proven": proven,
            }
        )
        if proven_by is not UNSET:
            field_dict["proven_by"] = proven_by

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = d.pop("domain")

        proven = d.pop("proven")

        def _parse_proven_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        proven_by = _parse_proven_by(d.pop("proven_by", UNSET))

        sso_domain_view = cls(
            domain=domain,
            proven=proven,
            proven_by=proven_by,
        )

        sso_domain_view.additional_properties = d
        return sso_domain_view

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
