from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DiscoveryDocument")


@_attrs_define
class DiscoveryDocument:
    """`/.well-known/openid-configuration` (and `oauth-authorization-server`): where
    the keys are and what they sign with, for middleware that discovers them
    from the issuer. Steward is not an OpenID provider: there is no
    authorization endpoint, only the tokens of `/api/v1/auth/login`.

        Attributes:
            claims_supported (list[str]): The claims of an access token (docs/tokens.md).
            id_token_signing_alg_values_supported (list[str]): `["EdDSA"]` (Ed25519).
            issuer (str): The `iss` of every access token: the public URL.
            jwks_uri (str): The JWK set of the keys served now.
            subject_types_supported (list[str]):
            token_endpoint (str): Where access tokens come from (a JSON login, not an OAuth grant).
    """

    claims_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    issuer: str
    jwks_uri: str
    subject_types_supported: list[str]
    token_endpoint: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        claims_supported = self.claims_supported

        id_token_signing_alg_values_supported = (
            self.id_token_signing_alg_values_supported
        )

        issuer = self.issuer

        jwks_uri = self.jwks_uri

        subject_types_supported = self.subject_types_supported

        token_endpoint = self.token_endpoint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "claims_supported": claims_supported,
                "id_token_signing_alg_values_supported": id_token_signing_alg_values_supported,
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "subject_types_supported": subject_types_supported,
                "token_endpoint": token_endpoint,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        claims_supported = cast(list[str], d.pop("claims_supported"))

        id_token_signing_alg_values_supported = cast(
            list[str], d.pop("id_token_signing_alg_values_supported")
        )

        issuer = d.pop("issuer")

        jwks_uri = d.pop("jwks_uri")

        subject_types_supported = cast(list[str], d.pop("subject_types_supported"))

        token_endpoint = d.pop("token_endpoint")

        discovery_document = cls(
            claims_supported=claims_supported,
            id_token_signing_alg_values_supported=id_token_signing_alg_values_supported,
            issuer=issuer,
            jwks_uri=jwks_uri,
            subject_types_supported=subject_types_supported,
            token_endpoint=token_endpoint,
        )

        discovery_document.additional_properties = d
        return discovery_document

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
