from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BulkDeleteBody")


@_attrs_define
class BulkDeleteBody:
    """
    Attributes:
        user_ids (list[str]): 1 to 1000 distinct member ids.
        transfer_objects_to (None | str | Unset): `root`: hand the deleted members' objects to the root account.
    """

    user_ids: list[str]
    transfer_objects_to: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        user_ids = self.user_ids

        transfer_objects_to: None | str | Unset
        if isinstance(self.transfer_objects_to, Unset):
            transfer_objects_to = UNSET
        else:
            transfer_objects_to = self.transfer_objects_to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_ids": user_ids,
            }
        )
        if transfer_objects_to is not UNSET:
            field_dict["transfer_objects_to"] = transfer_objects_to

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        user_ids = cast(list[str], d.pop("user_ids"))

        def _parse_transfer_objects_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transfer_objects_to = _parse_transfer_objects_to(
            d.pop("transfer_objects_to", UNSET)
        )

        bulk_delete_body = cls(
            user_ids=user_ids,
            transfer_objects_to=transfer_objects_to,
        )

        return bulk_delete_body
