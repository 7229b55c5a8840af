from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChallengeAnswer")


@_attrs_define
class ChallengeAnswer:
    """The login's answer for an account with a second factor: no tokens yet.

    Attributes:
        challenge (str): Send it with a code to `POST /auth/login/second-factor`; used once.
        expires_in (int): Seconds the challenge lasts (300).
        second_factor_required (bool): Always true.
    """

    challenge: str
    expires_in: int
    second_factor_required: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        challenge = self.challenge

        expires_in = self.expires_in

        second_factor_required = self.second_factor_required

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "challenge": challenge,
                "expires_in": expires_in,
                "second_factor_required": second_factor_required,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        challenge = d.pop("challenge")

        expires_in = d.pop("expires_in")

        second_factor_required = d.pop("second_factor_required")

        challenge_answer = cls(
            challenge=challenge,
            expires_in=expires_in,
            second_factor_required=second_factor_required,
        )

        challenge_answer.additional_properties = d
        return challenge_answer

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
