from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.locked_action import LockedAction


T = TypeVar("T", bound="PermissionEntry")


@_attrs_define
class PermissionEntry:
    """One row of the Permissions dialog.

    Attributes:
        actions (list[str]): What the user may do on the object.
        editable_actions (list[str]): The actions a grant here may add or remove: those not already given by a
            role, ownership or root (which are shown locked).
        locked (list[LockedAction]): The actions given by a role, ownership or root, each with its source:
            the console shows them ticked and locked, naming why.
        sources (list[str]): Why, one per source: `root`, `owner`, `role:<name>@<node>`, `grant@<node>`.
        user_id (str):
    """

    actions: list[str]
    editable_actions: list[str]
    locked: list[LockedAction]
    sources: list[str]
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actions = self.actions

        editable_actions = self.editable_actions

        locked = []
        for locked_item_data in self.locked:
            locked_item = locked_item_data.to_dict()
            locked.append(locked_item)

        sources = self.sources

        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actions": actions,
                "editable_actions": editable_actions,
                "locked": locked,
                "sources": sources,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.locked_action import LockedAction

        d = dict(src_dict)
        actions = cast(list[str], d.pop("actions"))

        editable_actions = cast(list[str], d.pop("editable_actions"))

        locked = []
        _locked = d.pop("locked")
        for locked_item_data in _locked:
            locked_item = LockedAction.from_dict(locked_item_data)

            locked.append(locked_item)

        sources = cast(list[str], d.pop("sources"))

        user_id = d.pop("user_id")

        permission_entry = cls(
            actions=actions,
            editable_actions=editable_actions,
            locked=locked,
            sources=sources,
            user_id=user_id,
        )

        permission_entry.additional_properties = d
        return permission_entry

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
