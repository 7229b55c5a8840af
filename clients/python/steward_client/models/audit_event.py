from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_event_data import AuditEventData
    from ..models.audit_event_names import AuditEventNames


T = TypeVar("T", bound="AuditEvent")


@_attrs_define
class AuditEvent:
    """One event of the log.

    Attributes:
        at (int):
        data (AuditEventData): The event's own fields (as in the audit log's `type`).
        hash_ (str):
        names (AuditEventNames): The names of the people and objects the event mentions, as they were
            when it was recorded (`{id: name}`; empty for events from before names
            were kept).
        prev_hash (str):
        seq (int):
        type_ (str):
        id (str):
        actor_id (None | str | Unset):
        target_id (None | str | Unset):
    """

    at: int
    data: AuditEventData
    hash_: str
    names: AuditEventNames
    prev_hash: str
    seq: int
    type_: str
    id: str
    actor_id: None | str | Unset = UNSET
    target_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        data = self.data.to_dict()

        hash_ = self.hash_

        names = self.names.to_dict()

        prev_hash = self.prev_hash

        seq = self.seq

        type_ = self.type_

        id = self.id

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = self.actor_id

        target_id: None | str | Unset
        if isinstance(self.target_id, Unset):
            target_id = UNSET
        else:
            target_id = self.target_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "data": data,
                "hash": hash_,
                "names": names,
                "prev_hash": prev_hash,
                "seq": seq,
                "type": type_,
                "id": id,
            }
        )
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if target_id is not UNSET:
            field_dict["target_id"] = target_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_event_data import AuditEventData
        from ..models.audit_event_names import AuditEventNames

        d = dict(src_dict)
        at = d.pop("at")

        data = AuditEventData.from_dict(d.pop("data"))

        hash_ = d.pop("hash")

        names = AuditEventNames.from_dict(d.pop("names"))

        prev_hash = d.pop("prev_hash")

        seq = d.pop("seq")

        type_ = d.pop("type")

        id = d.pop("id")

        def _parse_actor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_id = _parse_actor_id(d.pop("actor_id", UNSET))

        def _parse_target_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target_id = _parse_target_id(d.pop("target_id", UNSET))

        audit_event = cls(
            at=at,
            data=data,
            hash_=hash_,
            names=names,
            prev_hash=prev_hash,
            seq=seq,
            type_=type_,
            id=id,
            actor_id=actor_id,
            target_id=target_id,
        )

        audit_event.additional_properties = d
        return audit_event

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
