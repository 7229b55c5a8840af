from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateScimToken")


@_attrs_define
class CreateScimToken:
    """
    Attributes:
        name (str): What the directory is called ("Okta", "Entra ID"): the audit log names
            it as the actor of its changes.
    """

    name: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        create_scim_token = cls(
            name=name,
        )

        return create_scim_token
