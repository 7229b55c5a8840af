from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ScopeRolesBody")


@_attrs_define
class ScopeRolesBody:
    """
    Attributes:
        roles (list[str]): The roles held on that system, service or site; `[]` removes them.
    """

    roles: list[str]

    def to_dict(self) -> dict[str, Any]:
        roles = self.roles

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "roles": roles,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        roles = cast(list[str], d.pop("roles"))

        scope_roles_body = cls(
            roles=roles,
        )

        return scope_roles_body
