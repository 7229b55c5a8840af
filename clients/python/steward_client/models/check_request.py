from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CheckRequest")


@_attrs_define
class CheckRequest:
    """One question. Borrowed from the body: no copy of the ids.

    Attributes:
        action (str): `type:action` (`project:edit`) or `org:action` (`members:manage`).
        object_id (str): The object's id, or the organization's for organization actions.
        user_id (str):
    """

    action: str
    object_id: str
    user_id: str

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        object_id = self.object_id

        user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
                "object_id": object_id,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        action = d.pop("action")

        object_id = d.pop("object_id")

        user_id = d.pop("user_id")

        check_request = cls(
            action=action,
            object_id=object_id,
            user_id=user_id,
        )

        return check_request
