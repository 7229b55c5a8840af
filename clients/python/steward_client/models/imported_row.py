from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportedRow")


@_attrs_define
class ImportedRow:
    """
    Attributes:
        email (str):
        line (int): The file line (the header is line 1).
        role (str): The organization role the row gives.
        invitation_id (None | str | Unset): A created row of an applied import: its invitation.
        previous_role (None | str | Unset): The member's role before the file; absent for someone new.
        token (None | str | Unset): A created row of an applied import: the secret that accepts the
            invitation, shown only here (as `POST /invitations` shows it once).
    """

    email: str
    line: int
    role: str
    invitation_id: None | str | Unset = UNSET
    previous_role: None | str | Unset = UNSET
    token: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        line = self.line

        role = self.role

        invitation_id: None | str | Unset
        if isinstance(self.invitation_id, Unset):
            invitation_id = UNSET
        else:
            invitation_id = self.invitation_id

        previous_role: None | str | Unset
        if isinstance(self.previous_role, Unset):
            previous_role = UNSET
        else:
            previous_role = self.previous_role

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
                "line": line,
                "role": role,
            }
        )
        if invitation_id is not UNSET:
            field_dict["invitation_id"] = invitation_id
        if previous_role is not UNSET:
            field_dict["previous_role"] = previous_role
        if token is not UNSET:
            field_dict["token"] = token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        line = d.pop("line")

        role = d.pop("role")

        def _parse_invitation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invitation_id = _parse_invitation_id(d.pop("invitation_id", UNSET))

        def _parse_previous_role(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_role = _parse_previous_role(d.pop("previous_role", UNSET))

        def _parse_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        token = _parse_token(d.pop("token", UNSET))

        imported_row = cls(
            email=email,
            line=line,
            role=role,
            invitation_id=invitation_id,
            previous_role=previous_role,
            token=token,
        )

        imported_row.additional_properties = d
        return imported_row

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
