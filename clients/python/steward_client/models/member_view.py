from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.scope_view import ScopeView


T = TypeVar("T", bound="MemberView")


@_attrs_define
class MemberView:
    """A member as the API shows one.

    Attributes:
        email (str):
        name (str):
        role (str):
        scopes (list[ScopeView]): Roles held on scope objects: those the caller may see.
        suspended (bool): Suspended (docs/provisioning.md#suspension): roles kept, but every check
            answers as for a non-member until reinstated.
        user_id (str):
        warnings (list[str]): e.g. `viewer_without_sites`: a viewer who will see nothing until given sites.
    """

    email: str
    name: str
    role: str
    scopes: list[ScopeView]
    suspended: bool
    user_id: str
    warnings: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        role = self.role

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.to_dict()
            scopes.append(scopes_item)

        suspended = self.suspended

        user_id = self.user_id

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "role": role,
                "scopes": scopes,
                "suspended": suspended,
                "user_id": user_id,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.scope_view import ScopeView

        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        role = d.pop("role")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ScopeView.from_dict(scopes_item_data)

            scopes.append(scopes_item)

        suspended = d.pop("suspended")

        user_id = d.pop("user_id")

        warnings = cast(list[str], d.pop("warnings"))

        member_view = cls(
            email=email,
            name=name,
            role=role,
            scopes=scopes,
            suspended=suspended,
            user_id=user_id,
            warnings=warnings,
        )

        member_view.additional_properties = d
        return member_view

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
