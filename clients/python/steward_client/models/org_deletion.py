from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrgDeletion")


@_attrs_define
class OrgDeletion:
    """What deleting an organization removes, and whether the caller may.

    Attributes:
        api_keys (int):
        grants (int): Per-object grants.
        id (str):
        invitations (int): Pending invitations.
        members (int):
        name (str):
        objects (int):
        scope_roles (int): Roles held on scopes (sites, systems, services).
        refusal (None | str | Unset): Why the caller may not delete it, in words; none when they may.
    """

    api_keys: int
    grants: int
    id: str
    invitations: int
    members: int
    name: str
    objects: int
    scope_roles: int
    refusal: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_keys = self.api_keys

        grants = self.grants

        id = self.id

        invitations = self.invitations

        members = self.members

        name = self.name

        objects = self.objects

        scope_roles = self.scope_roles

        refusal: None | str | Unset
        if isinstance(self.refusal, Unset):
            refusal = UNSET
        else:
            refusal = self.refusal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_keys": api_keys,
                "grants": grants,
                "id": id,
                "invitations": invitations,
                "members": members,
                "name": name,
                "objects": objects,
                "scope_roles": scope_roles,
            }
        )
        if refusal is not UNSET:
            field_dict["refusal"] = refusal

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        api_keys = d.pop("api_keys")

        grants = d.pop("grants")

        id = d.pop("id")

        invitations = d.pop("invitations")

        members = d.pop("members")

        name = d.pop("name")

        objects = d.pop("objects")

        scope_roles = d.pop("scope_roles")

        def _parse_refusal(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refusal = _parse_refusal(d.pop("refusal", UNSET))

        org_deletion = cls(
            api_keys=api_keys,
            grants=grants,
            id=id,
            invitations=invitations,
            members=members,
            name=name,
            objects=objects,
            scope_roles=scope_roles,
            refusal=refusal,
        )

        org_deletion.additional_properties = d
        return org_deletion

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
