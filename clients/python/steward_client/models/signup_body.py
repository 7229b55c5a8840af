from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SignupBody")


@_attrs_define
class SignupBody:
    """What signing up takes: the account, and the name of the organization it owns.

    Attributes:
        email (str):
        name (str):
        org_name (str):
        password (str):
    """

    email: str
    name: str
    org_name: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        org_name = self.org_name

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "name": name,
                "org_name": org_name,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        org_name = d.pop("org_name")

        password = d.pop("password")

        signup_body = cls(
            email=email,
            name=name,
            org_name=org_name,
            password=password,
        )

        return signup_body
