from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChainView")


@_attrs_define
class ChainView:
    """
    Attributes:
        events (int):
        ok (bool):
        first_bad_seq (int | None | Unset):
    """

    events: int
    ok: bool
    first_bad_seq: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        events = self.events

        ok = self.ok

        first_bad_seq: int | None | Unset
        if isinstance(self.first_bad_seq, Unset):
            first_bad_seq = UNSET
        else:
            first_bad_seq = self.first_bad_seq

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "events": events,
                "ok": ok,
            }
        )
        if first_bad_seq is not UNSET:
            field_dict["first_bad_seq"] = first_bad_seq

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        events = d.pop("events")

        ok = d.pop("ok")

        def _parse_first_bad_seq(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        first_bad_seq = _parse_first_bad_seq(d.pop("first_bad_seq", UNSET))

        chain_view = cls(
            events=events,
            ok=ok,
            first_bad_seq=first_bad_seq,
        )

        chain_view.additional_properties = d
        return chain_view

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
