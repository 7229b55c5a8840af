from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.account_view import AccountView
    from ..models.org_view import OrgView


T = TypeVar("T", bound="SignupAnswer")


@_attrs_define
class SignupAnswer:
    """
    Attributes:
        account (AccountView): An account as people see it: never its password hash.
        email_verified (bool): Always false: a link is mailed to the address, and the account signs in
            once it is opened (`POST /auth/verify-email/{token}`).
        org (OrgView):
    """

    account: AccountView
    email_verified: bool
    org: OrgView
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account = self.account.to_dict()

        email_verified = self.email_verified

        org = self.org.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account": account,
                "email_verified": email_verified,
                "org": org,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.account_view import AccountView
        from ..models.org_view import OrgView

        d = dict(src_dict)
        account = AccountView.from_dict(d.pop("account"))

        email_verified = d.pop("email_verified")

        org = OrgView.from_dict(d.pop("org"))

        signup_answer = cls(
            account=account,
            email_verified=email_verified,
            org=org,
        )

        signup_answer.additional_properties = d
        return signup_answer

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
