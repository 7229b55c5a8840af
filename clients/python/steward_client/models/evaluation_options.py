from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.semantic import Semantic
from ..types import UNSET, Unset

T = TypeVar("T", bound="EvaluationOptions")


@_attrs_define
class EvaluationOptions:
    """
    Attributes:
        evaluations_semantic (Semantic | Unset): How far a list of evaluations is answered.
    """

    evaluations_semantic: Semantic | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        evaluations_semantic: str | Unset = UNSET
        if not isinstance(self.evaluations_semantic, Unset):
            evaluations_semantic = self.evaluations_semantic.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if evaluations_semantic is not UNSET:
            field_dict["evaluations_semantic"] = evaluations_semantic

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _evaluations_semantic = d.pop("evaluations_semantic", UNSET)
        evaluations_semantic: Semantic | Unset
        if isinstance(_evaluations_semantic, Unset):
            evaluations_semantic = UNSET
        else:
            evaluations_semantic = Semantic(_evaluations_semantic)

        evaluation_options = cls(
            evaluations_semantic=evaluations_semantic,
        )

        evaluation_options.additional_properties = d
        return evaluation_options

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
