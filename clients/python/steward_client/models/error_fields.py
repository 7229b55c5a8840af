from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ErrorFields")


@_attrs_define
class ErrorFields:
    """
    Attributes:
        code (str): The kind: `INVALID`, `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`,
            `CONFLICT`, `TIMEOUT`, `RATE_LIMITED`, `UNAVAILABLE`, `INTERNAL`... Example: FORBIDDEN.
        message (str): The same in words, for a person. Example: you may not manage members here.
        reason (str): What a program tests: the field or rule (`not_permitted`, `last_owner`...). Example:
            not_permitted.
    """

    code: str
    message: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        reason = d.pop("reason")

        error_fields = cls(
            code=code,
            message=message,
            reason=reason,
        )

        error_fields.additional_properties = d
        return error_fields

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
