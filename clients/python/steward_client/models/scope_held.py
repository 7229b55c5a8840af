from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ScopeHeld")


@_attrs_define
class ScopeHeld:
    """The roles held on one scope object (a site, a system, a service).

    Attributes:
        object_id (str):
        object_name (str):
        object_type (str):
        roles (list[str]):
    """

    object_id: str
    object_name: str
    object_type: str
    roles: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        object_id = self.object_id

        object_name = self.object_name

        object_type = self.object_type

        roles = self.roles

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "object_id": object_id,
                "object_name": object_name,
                "object_type": object_type,
                "roles": roles,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        object_id = d.pop("object_id")

        object_name = d.pop("object_name")

        object_type = d.pop("object_type")

        roles = cast(list[str], d.pop("roles"))

        scope_held = cls(
            object_id=object_id,
            object_name=object_name,
            object_type=object_type,
            roles=roles,
        )

        scope_held.additional_properties = d
        return scope_held

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
