from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScimTokenView")


@_attrs_define
class ScimTokenView:
    """A SCIM token as the API answers it: an API key with the `scim` permission,
    and the base URL to paste into the directory.

        Attributes:
            created_at (int): Unix seconds.
            id (str):
            name (str):
            permissions (list[str]):
            base_url (str):
            created_by (None | str | Unset):
            key (None | str | Unset): The secret, shown once when the key is made: send it as `Bearer <key>`.
    """

    created_at: int
    id: str
    name: str
    permissions: list[str]
    base_url: str
    created_by: None | str | Unset = UNSET
    key: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        name = self.name

        permissions = self.permissions

        base_url = self.base_url

        created_by: None | str | Unset
        if isinstance(self.created_by, Unset):
            created_by = UNSET
        else:
            created_by = self.created_by

        key: None | str | Unset
        if isinstance(self.key, Unset):
            key = UNSET
        else:
            key = self.key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "permissions": permissions,
                "base_url": base_url,
            }
        )
        if created_by is not UNSET:
            field_dict["created_by"] = created_by
        if key is not UNSET:
            field_dict["key"] = key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        permissions = cast(list[str], d.pop("permissions"))

        base_url = d.pop("base_url")

        def _parse_created_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        created_by = _parse_created_by(d.pop("created_by", UNSET))

        def _parse_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        key = _parse_key(d.pop("key", UNSET))

        scim_token_view = cls(
            created_at=created_at,
            id=id,
            name=name,
            permissions=permissions,
            base_url=base_url,
            created_by=created_by,
            key=key,
        )

        scim_token_view.additional_properties = d
        return scim_token_view

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
