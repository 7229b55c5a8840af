from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sso_domain_view import SsoDomainView


T = TypeVar("T", bound="SsoView")


@_attrs_define
class SsoView:
    """An organization's single sign-on, without its secret.

    Attributes:
        client_id (str):
        client_secret_set (bool): Whether a client secret is stored (it is never shown).
        domains (list[SsoDomainView]):
        issuer (str):
        notify_new_sign_in (bool):
        redirect_uri (str): What to register at the provider as the redirect URI.
        require_sso (bool):
    """

    client_id: str
    client_secret_set: bool
    domains: list[SsoDomainView]
    issuer: str
    notify_new_sign_in: bool
    redirect_uri: str
    require_sso: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_secret_set = self.client_secret_set

        domains = []
        for domains_item_data in self.domains:
            domains_item = domains_item_data.to_dict()
            domains.append(domains_item)

        issuer = self.issuer

        notify_new_sign_in = self.notify_new_sign_in

        redirect_uri = self.redirect_uri

        require_sso = self.require_sso

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_secret_set": client_secret_set,
                "domains": domains,
                "issuer": issuer,
                "notify_new_sign_in": notify_new_sign_in,
                "redirect_uri": redirect_uri,
                "require_sso": require_sso,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sso_domain_view import SsoDomainView

        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_secret_set = d.pop("client_secret_set")

        domains = []
        _domains = d.pop("domains")
        for domains_item_data in _domains:
            domains_item = SsoDomainView.from_dict(domains_item_data)

            domains.append(domains_item)

        issuer = d.pop("issuer")

        notify_new_sign_in = d.pop("notify_new_sign_in")

        redirect_uri = d.pop("redirect_uri")

        require_sso = d.pop("require_sso")

        sso_view = cls(
            client_id=client_id,
            client_secret_set=client_secret_set,
            domains=domains,
            issuer=issuer,
            notify_new_sign_in=notify_new_sign_in,
            redirect_uri=redirect_uri,
            require_sso=require_sso,
        )

        sso_view.additional_properties = d
        return sso_view

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
