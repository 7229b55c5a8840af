from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SecondFactorSetting")


@_attrs_define
class SecondFactorSetting:
    """
    Attributes:
        second_factor_required (bool): Admins and owners without a second factor are refused the
            organization's management actions (`second_factor_required`).
    """

    second_factor_required: bool

    def to_dict(self) -> dict[str, Any]:
        second_factor_required = self.second_factor_required

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "second_factor_required": second_factor_required,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        second_factor_required = d.pop("second_factor_required")

        second_factor_setting = cls(
            second_factor_required=second_factor_required,
        )

        return second_factor_setting
