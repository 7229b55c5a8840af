from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_row_error import ImportRowError
    from ..models.imported_row import ImportedRow


T = TypeVar("T", bound="ImportAnswer")


@_attrs_define
class ImportAnswer:
    """What an import did, or would do: every row of the file is in exactly one list.

    Attributes:
        applied (bool): Whether the file was stored: not on a dry run, never with any error.
        created (list[ImportedRow]): New people invited (one invitation each).
        dry_run (bool):
        errors (list[ImportRowError]): Every refused row, in file order. Any error: nothing was applied.
        unchanged (list[ImportedRow]): Members who already have it, or people already invited with that role.
        updated (list[ImportedRow]): Members whose role or scope roles change.
    """

    applied: bool
    created: list[ImportedRow]
    dry_run: bool
    errors: list[ImportRowError]
    unchanged: list[ImportedRow]
    updated: list[ImportedRow]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applied = self.applied

        created = []
        for created_item_data in self.created:
            created_item = created_item_data.to_dict()
            created.append(created_item)

        dry_run = self.dry_run

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        unchanged = []
        for unchanged_item_data in self.unchanged:
            unchanged_item = unchanged_item_data.to_dict()
            unchanged.append(unchanged_item)

        updated = []
        for updated_item_data in self.updated:
            updated_item = updated_item_data.to_dict()
            updated.append(updated_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applied": applied,
                "created": created,
                "dry_run": dry_run,
                "errors": errors,
                "unchanged": unchanged,
                "updated": updated,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_row_error import ImportRowError
        from ..models.imported_row import ImportedRow

        d = dict(src_dict)
        applied = d.pop("applied")

        created = []
        _created = d.pop("created")
        for created_item_data in _created:
            created_item = ImportedRow.from_dict(created_item_data)

            created.append(created_item)

        dry_run = d.pop("dry_run")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ImportRowError.from_dict(errors_item_data)

            errors.append(errors_item)

        unchanged = []
        _unchanged = d.pop("unchanged")
        for unchanged_item_data in _unchanged:
            unchanged_item = ImportedRow.from_dict(unchanged_item_data)

            unchanged.append(unchanged_item)

        updated = []
        _updated = d.pop("updated")
        for updated_item_data in _updated:
            updated_item = ImportedRow.from_dict(updated_item_data)

            updated.append(updated_item)

        import_answer = cls(
            applied=applied,
            created=created,
            dry_run=dry_run,
            errors=errors,
            unchanged=unchanged,
            updated=updated,
        )

        import_answer.additional_properties = d
        return import_answer

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
