from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.key_view import KeyView
    from ..models.scope_held import ScopeHeld


T = TypeVar("T", bound="MyAccess")


@_attrs_define
class MyAccess:
    """What one member holds in one organization.

    Attributes:
        api_keys (list[KeyView]): The keys they made, without their secrets.
        email (str):
        name (str):
        role (str): Their organization role's name (`analyst`).
        scopes (list[ScopeHeld]):
        user_id (str):
        api_key_refusal (None | str | Unset): Why they may not make or revoke keys, in words; none when they may.
    """

    api_keys: list[KeyView]
    email: str
    name: str
    role: str
    scopes: list[ScopeHeld]
    user_id: str
    api_key_refusal: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_keys = []
        for api_keys_item_data in self.api_keys:
            api_keys_item = api_keys_item_data.to_dict()
            api_keys.append(api_keys_item)

        email = self.email

        name = self.name

        role = self.role

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.to_dict()
            scopes.append(scopes_item)

        user_id = self.user_id

        api_key_refusal: None | str | Unset
        if isinstance(self.api_key_refusal, Unset):
            api_key_refusal = UNSET
        else:
            api_key_refusal = self.api_key_refusal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_keys": api_keys,
                "email": email,
                "name": name,
                "role": role,
                "scopes": scopes,
                "user_id": user_id,
            }
        )
        if api_key_refusal is not UNSET:
            field_dict["api_key_refusal"] = api_key_refusal

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.key_view import KeyView
        from ..models.scope_held import ScopeHeld

        d = dict(src_dict)
        api_keys = []
        _api_keys = d.pop("api_keys")
        for api_keys_item_data in _api_keys:
            api_keys_item = KeyView.from_dict(api_keys_item_data)

            api_keys.append(api_keys_item)

        email = d.pop("email")

        name = d.pop("name")

        role = d.pop("role")

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ScopeHeld.from_dict(scopes_item_data)

            scopes.append(scopes_item)

        user_id = d.pop("user_id")

        def _parse_api_key_refusal(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key_refusal = _parse_api_key_refusal(d.pop("api_key_refusal", UNSET))

        my_access = cls(
            api_keys=api_keys,
            email=email,
            name=name,
            role=role,
            scopes=scopes,
            user_id=user_id,
            api_key_refusal=api_key_refusal,
        )

        my_access.additional_properties = d
        return my_access

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
