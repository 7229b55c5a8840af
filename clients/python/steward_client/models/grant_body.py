from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="GrantBody")


@_attrs_define
class GrantBody:
    """
    Attributes:
        actions (list[str]): The user's grant on the object, replaced; `[]` removes it.
    """

    actions: list[str]

    def to_dict(self) -> dict[str, Any]:
        actions = self.actions

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "actions": actions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        actions = cast(list[str], d.pop("actions"))

        grant_body = cls(
            actions=actions,
        )

        return grant_body
