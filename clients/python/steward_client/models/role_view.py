from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RoleView")


@_attrs_define
class RoleView:
    """One column of the role x permission matrix.

    Attributes:
        label (str):
        level (str): Where the role is held: `organization` or a scope type.
        may_assign (list[str]): The roles a holder may give (organization roles only).
        name (str):
        permissions (list[str]): `type:action:reach`, reach being `all`, `assigned` or `own`.
        rank (int):
    """

    label: str
    level: str
    may_assign: list[str]
    name: str
    permissions: list[str]
    rank: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        level = self.level

        may_assign = self.may_assign

        name = self.name

        permissions = self.permissions

        rank = self.rank

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "label": label,
                "level": level,
                "may_assign": may_assign,
                "name": name,
                "permissions": permissions,
                "rank": rank,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        label = d.pop("label")

        level = d.pop("level")

        may_assign = cast(list[str], d.pop("may_assign"))

        name = d.pop("name")

        permissions = cast(list[str], d.pop("permissions"))

        rank = d.pop("rank")

        role_view = cls(
            label=label,
            level=level,
            may_assign=may_assign,
            name=name,
            permissions=permissions,
            rank=rank,
        )

        role_view.additional_properties = d
        return role_view

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
