from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ChainedEvent")


@_attrs_define
class ChainedEvent:
    """One event of the chain, with everything its hash covers: `hash` is the
    lowercase hex SHA-256 of `org_id`, `seq`, `prev_hash` and `body`, each
    followed by a line feed but the last (docs/audit.md#the-hash).

        Attributes:
            body (str): The event's JSON exactly as it was hashed (a string: its bytes matter).
            id (str):
            org_id (str):
    """

    body: str
    id: str
    org_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        body = self.body

        id = self.id

        org_id = self.org_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "body": body,
                "id": id,
                "org_id": org_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        body = d.pop("body")

        id = d.pop("id")

        org_id = d.pop("org_id")

        chained_event = cls(
            body=body,
            id=id,
            org_id=org_id,
        )

        chained_event.additional_properties = d
        return chained_event

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
