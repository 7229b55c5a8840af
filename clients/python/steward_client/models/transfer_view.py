from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TransferView")


@_attrs_define
class TransferView:
    """
    Attributes:
        expires_at (int): Unix seconds.
        from_user (str):
        id (str):
        status (str): `pending`, or what ended it: `accepted`, `declined`, `cancelled`.
        to_user (str):
    """

    expires_at: int
    from_user: str
    id: str
    status: str
    to_user: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at

        from_user = self.from_user

        id = self.id

        status = self.status

        to_user = self.to_user

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "from_user": from_user,
                "id": id,
                "status": status,
                "to_user": to_user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expires_at = d.pop("expires_at")

        from_user = d.pop("from_user")

        id = d.pop("id")

        status = d.pop("status")

        to_user = d.pop("to_user")

        transfer_view = cls(
            expires_at=expires_at,
            from_user=from_user,
            id=id,
            status=status,
            to_user=to_user,
        )

        transfer_view.additional_properties = d
        return transfer_view

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
