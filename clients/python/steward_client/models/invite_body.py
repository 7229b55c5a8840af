from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.scope_view import ScopeView


T = TypeVar("T", bound="InviteBody")


@_attrs_define
class InviteBody:
    """
    Attributes:
        email (str):
        expires_in_days (int | None | Unset): Days until the invitation expires (default 7).
        name (None | str | Unset):
        role (None | str | Unset): Defaults to the policy's default role.
        scopes (list[ScopeView] | Unset):
    """

    email: str
    expires_in_days: int | None | Unset = UNSET
    name: None | str | Unset = UNSET
    role: None | str | Unset = UNSET
    scopes: list[ScopeView] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        expires_in_days: int | None | Unset
        if isinstance(self.expires_in_days, Unset):
            expires_in_days = UNSET
        else:
            expires_in_days = self.expires_in_days

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        role: None | str | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        else:
            role = self.role

        scopes: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item = scopes_item_data.to_dict()
                scopes.append(scopes_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if expires_in_days is not UNSET:
            field_dict["expires_in_days"] = expires_in_days
        if name is not UNSET:
            field_dict["name"] = name
        if role is not UNSET:
            field_dict["role"] = role
        if scopes is not UNSET:
            field_dict["scopes"] = scopes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.scope_view import ScopeView

        d = dict(src_dict)
        email = d.pop("email")

        def _parse_expires_in_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_days = _parse_expires_in_days(d.pop("expires_in_days", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_role(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        role = _parse_role(d.pop("role", UNSET))

        _scopes = d.pop("scopes", UNSET)
        scopes: list[ScopeView] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = ScopeView.from_dict(scopes_item_data)

                scopes.append(scopes_item)

        invite_body = cls(
            email=email,
            expires_in_days=expires_in_days,
            name=name,
            role=role,
            scopes=scopes,
        )

        return invite_body
