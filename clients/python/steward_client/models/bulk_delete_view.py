from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.refused_member import RefusedMember


T = TypeVar("T", bound="BulkDeleteView")


@_attrs_define
class BulkDeleteView:
    """
    Attributes:
        deleted (list[str]): The members deleted, in the order asked.
        refused (list[RefusedMember]): The members not deleted, each with the rule that kept them.
    """

    deleted: list[str]
    refused: list[RefusedMember]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        deleted = self.deleted

        refused = []
        for refused_item_data in self.refused:
            refused_item = refused_item_data.to_dict()
            refused.append(refused_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "deleted": deleted,
                "refused": refused,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.refused_member import RefusedMember

        d = dict(src_dict)
        deleted = cast(list[str], d.pop("deleted"))

        refused = []
        _refused = d.pop("refused")
        for refused_item_data in _refused:
            refused_item = RefusedMember.from_dict(refused_item_data)

            refused.append(refused_item)

        bulk_delete_view = cls(
            deleted=deleted,
            refused=refused,
        )

        bulk_delete_view.additional_properties = d
        return bulk_delete_view

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
