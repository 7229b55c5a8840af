from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PageWebhookViewItemsItem")


@_attrs_define
class PageWebhookViewItemsItem:
    """
    Attributes:
        enabled (bool):
        event_types (list[str]): Empty: every event type.
        id (str):
        url (str):
        secret (None | str | Unset): The signing secret (`whsec_...`), shown once: when the endpoint is made
            and when its secret is rotated.
    """

    enabled: bool
    event_types: list[str]
    id: str
    url: str
    secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        event_types = self.event_types

        id = self.id

        url = self.url

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "event_types": event_types,
                "id": id,
                "url": url,
            }
        )
        if secret is not UNSET:
            field_dict["secret"] = secret

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        event_types = cast(list[str], d.pop("event_types"))

        id = d.pop("id")

        url = d.pop("url")

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        page_webhook_view_items_item = cls(
            enabled=enabled,
            event_types=event_types,
            id=id,
            url=url,
            secret=secret,
        )

        page_webhook_view_items_item.additional_properties = d
        return page_webhook_view_items_item

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
