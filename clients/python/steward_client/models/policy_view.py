from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.policy_view_action_labels import PolicyViewActionLabels
    from ..models.role_view import RoleView
    from ..models.type_view import TypeView


T = TypeVar("T", bound="PolicyView")


@_attrs_define
class PolicyView:
    """
    Attributes:
        action_labels (PolicyViewActionLabels): Each action in the policy's words (its name when the policy gives none).
        actions (list[str]):
        description (str):
        name (str):
        roles (list[RoleView]):
        types (list[TypeView]):
    """

    action_labels: PolicyViewActionLabels
    actions: list[str]
    description: str
    name: str
    roles: list[RoleView]
    types: list[TypeView]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_labels = self.action_labels.to_dict()

        actions = self.actions

        description = self.description

        name = self.name

        roles = []
        for roles_item_data in self.roles:
            roles_item = roles_item_data.to_dict()
            roles.append(roles_item)

        types = []
        for types_item_data in self.types:
            types_item = types_item_data.to_dict()
            types.append(types_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action_labels": action_labels,
                "actions": actions,
                "description": description,
                "name": name,
                "roles": roles,
                "types": types,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.policy_view_action_labels import PolicyViewActionLabels
        from ..models.role_view import RoleView
        from ..models.type_view import TypeView

        d = dict(src_dict)
        action_labels = PolicyViewActionLabels.from_dict(d.pop("action_labels"))

        actions = cast(list[str], d.pop("actions"))

        description = d.pop("description")

        name = d.pop("name")

        roles = []
        _roles = d.pop("roles")
        for roles_item_data in _roles:
            roles_item = RoleView.from_dict(roles_item_data)

            roles.append(roles_item)

        types = []
        _types = d.pop("types")
        for types_item_data in _types:
            types_item = TypeView.from_dict(types_item_data)

            types.append(types_item)

        policy_view = cls(
            action_labels=action_labels,
            actions=actions,
            description=description,
            name=name,
            roles=roles,
            types=types,
        )

        policy_view.additional_properties = d
        return policy_view

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
