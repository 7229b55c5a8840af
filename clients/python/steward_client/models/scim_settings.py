from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.on_deprovision import OnDeprovision

T = TypeVar("T", bound="ScimSettings")


@_attrs_define
class ScimSettings:
    """The organization's provisioning settings.

    Attributes:
        on_deprovision (OnDeprovision): What a directory's deprovisioning (SCIM `active: false`) does to a member.
    """

    on_deprovision: OnDeprovision

    def to_dict(self) -> dict[str, Any]:
        on_deprovision = self.on_deprovision.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "on_deprovision": on_deprovision,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        on_deprovision = OnDeprovision(d.pop("on_deprovision"))

        scim_settings = cls(
            on_deprovision=on_deprovision,
        )

        return scim_settings
