from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.decision_context import DecisionContext


T = TypeVar("T", bound="EvaluationAnswer")


@_attrs_define
class EvaluationAnswer:
    """AuthZEN's answer: the decision, and in `context.reason` Steward's reason
    (`role:editor@prj_...`, `no_permission`, `not_a_member`...).

        Attributes:
            context (DecisionContext):
            decision (bool):
    """

    context: DecisionContext
    decision: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        context = self.context.to_dict()

        decision = self.decision

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "context": context,
                "decision": decision,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.decision_context import DecisionContext

        d = dict(src_dict)
        context = DecisionContext.from_dict(d.pop("context"))

        decision = d.pop("decision")

        evaluation_answer = cls(
            context=context,
            decision=decision,
        )

        evaluation_answer.additional_properties = d
        return evaluation_answer

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
