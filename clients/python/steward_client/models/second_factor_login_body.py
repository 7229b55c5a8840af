from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SecondFactorLoginBody")


@_attrs_define
class SecondFactorLoginBody:
    """
    Attributes:
        challenge (str): From the login's 202 answer.
        code (str): A TOTP code, or one of the recovery codes.
    """

    challenge: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        challenge = self.challenge

        code = self.code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "challenge": challenge,
                "code": code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        challenge = d.pop("challenge")

        code = d.pop("code")

        second_factor_login_body = cls(
            challenge=challenge,
            code=code,
        )

        return second_factor_login_body
