from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="NominateBody")


@_attrs_define
class NominateBody:
    """
    Attributes:
        to_user (str):
    """

    to_user: str

    def to_dict(self) -> dict[str, Any]:
        to_user = self.to_user

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "to_user": to_user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        to_user = d.pop("to_user")

        nominate_body = cls(
            to_user=to_user,
        )

        return nominate_body
