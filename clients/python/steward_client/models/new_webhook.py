from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="NewWebhook")


@_attrs_define
class NewWebhook:
    """
    Attributes:
        url (str): Where deliveries are POSTed: `https://` (or `http://`).
        enabled (bool | None | Unset): Default `true`.
        event_types (list[str] | Unset): The event types sent (`member.deleted`...); absent or empty: all.
    """

    url: str
    enabled: bool | None | Unset = UNSET
    event_types: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if event_types is not UNSET:
            field_dict["event_types"] = event_types

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        url = d.pop("url")

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        event_types = cast(list[str], d.pop("event_types", UNSET))

        new_webhook = cls(
            url=url,
            enabled=enabled,
            event_types=event_types,
        )

        return new_webhook
