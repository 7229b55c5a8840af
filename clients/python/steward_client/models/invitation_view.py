from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.scope_view import ScopeView


T = TypeVar("T", bound="InvitationView")


@_attrs_define
class InvitationView:
    """
    Attributes:
        email (str):
        expires_at (int): Unix seconds.
        id (str):
        role (str):
        scopes (list[ScopeView]):
        accept_url (None | str | Unset): Where the invitee accepts (the console's page for the token).
        invited_by (None | str | Unset): The member who made it (their user id), as the audit log has it; left
            out when the log does not say (an import, an operator's command).
        name (None | str | Unset):
        token (None | str | Unset): Shown once, when the invitation is made; it is the secret that accepts it.
    """

    email: str
    expires_at: int
    id: str
    role: str
    scopes: list[ScopeView]
    accept_url: None | str | Unset = UNSET
    invited_by: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    token: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        expires_at = self.expires_at

        id = self.id

        role = self.role

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.to_dict()
            scopes.append(scopes_item)

        accept_url: None | str | Unset
        if isinstance(self.accept_url, Unset):
            accept_url = UNSET
        else:
            accept_url = self.accept_url

        invited_by: None | str | Unset
        if isinstance(self.invited_by, Unset):
            invited_by = UNSET
        else:
            invited_by = self.invited_by

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        token: None | str | Unset
        if isinstance(self.token, Unset):
            token = UNSET
        else:
            token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "expires_at": expires_at,
                "id": id,
                "role": role,
                "scopes": scopes,
            }
        )
        if accept_url is not UNSET:
            field_dict["accept_url"] = accept_url
        if invited_by is not UNSET:
            field_dict["invited_by"] = invited_by
        if name is not UNSET:
            field_dict["name"] = name
        if token is not UNSET:
            field_dict["token"] = token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.scope_view import ScopeView

        d = dict(src_dict)
        email = d.pop("email")

        expires_at = d.pop("expires_at")

        id = d.pop("id")

        role = d.pop("role")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ScopeView.from_dict(scopes_item_data)

            scopes.append(scopes_item)

        def _parse_accept_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accept_url = _parse_accept_url(d.pop("accept_url", UNSET))

        def _parse_invited_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invited_by = _parse_invited_by(d.pop("invited_by", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        invitation_view = cls(
            email=email,
            expires_at=expires_at,
            id=id,
            role=role,
            scopes=scopes,
            accept_url=accept_url,
            invited_by=invited_by,
            name=name,
            token=token,
        )

        invitation_view.additional_properties = d
        return invitation_view

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
