from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action import Action
    from ..models.evaluation_request_context_type_0 import EvaluationRequestContextType0
    from ..models.resource import Resource
    from ..models.subject import Subject


T = TypeVar("T", bound="EvaluationRequest")


@_attrs_define
class EvaluationRequest:
    """`POST /access/v1/evaluation`: one question, every part required.

    Attributes:
        action (Action): The action: Steward's own name (`project:edit`, `members:manage`), or the
            part after the colon (`edit`), which the resource's type completes.
        resource (Resource): What is asked about: an object of the organization, or the organization.
        subject (Subject): Who asks: AuthZEN's subject. Steward's subjects are its users (`usr_...`).
        context (EvaluationRequestContextType0 | None | Unset): Accepted and not used.
    """

    action: Action
    resource: Resource
    subject: Subject
    context: EvaluationRequestContextType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.evaluation_request_context_type_0 import (
            EvaluationRequestContextType0,
        )

        action = self.action.to_dict()

        resource = self.resource.to_dict()

        subject = self.subject.to_dict()

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, EvaluationRequestContextType0):
            context = self.context.to_dict()
        else:
            context = self.context

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "resource": resource,
                "subject": subject,
            }
        )
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action import Action
        from ..models.evaluation_request_context_type_0 import (
            EvaluationRequestContextType0,
        )
        from ..models.resource import Resource
        from ..models.subject import Subject

        d = dict(src_dict)
        action = Action.from_dict(d.pop("action"))

        resource = Resource.from_dict(d.pop("resource"))

        subject = Subject.from_dict(d.pop("subject"))

        def _parse_context(
            data: object,
        ) -> EvaluationRequestContextType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = EvaluationRequestContextType0.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvaluationRequestContextType0 | None | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        evaluation_request = cls(
            action=action,
            resource=resource,
            subject=subject,
            context=context,
        )

        evaluation_request.additional_properties = d
        return evaluation_request

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
