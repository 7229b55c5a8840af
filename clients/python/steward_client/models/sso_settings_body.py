from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SsoSettingsBody")


@_attrs_define
class SsoSettingsBody:
    """
    Attributes:
        client_id (str):
        domains (list[str]): The e-mail domains the provider covers (`acme.test`); each routes nobody
            until proven.
        issuer (str): The provider's issuer URL (`https://id.acme.test/realms/acme`): its
            discovery document is at `{issuer}/.well-known/openid-configuration`.
        client_secret (None | str | Unset): Required the first time; left out (or empty), the stored one is kept.
            Never answered back.
        notify_new_sign_in (bool | Unset): A mail to the person on a just-in-time join or a first sign-in through
            the provider.
        require_sso (bool | Unset): Password sign-in is refused for members whose address is on a proven
            domain (the owner keeps an audited break-glass sign-in).
    """

    client_id: str
    domains: list[str]
    issuer: str
    client_secret: None | str | Unset = UNSET
    notify_new_sign_in: bool | Unset = UNSET
    require_sso: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        domains = self.domains

        issuer = self.issuer

        client_secret: None | str | Unset
        if isinstance(self.client_secret, Unset):
            client_secret = UNSET
        else:
            client_secret = self.client_secret

        notify_new_sign_in = self.notify_new_sign_in

        require_sso = self.require_sso

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_id": client_id,
                "domains": domains,
                "issuer": issuer,
            }
        )
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if notify_new_sign_in is not UNSET:
            field_dict["notify_new_sign_in"] = notify_new_sign_in
        if require_sso is not UNSET:
            field_dict["require_sso"] = require_sso

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        domains = cast(list[str], d.pop("domains"))

        issuer = d.pop("issuer")

        def _parse_client_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_secret = _parse_client_secret(d.pop("client_secret", UNSET))

        notify_new_sign_in = d.pop("notify_new_sign_in", UNSET)

        require_sso = d.pop("require_sso", UNSET)

        sso_settings_body = cls(
            client_id=client_id,
            domains=domains,
            issuer=issuer,
            client_secret=client_secret,
            notify_new_sign_in=notify_new_sign_in,
            require_sso=require_sso,
        )

        return sso_settings_body
