from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action import Action
    from ..models.evaluation_item import EvaluationItem
    from ..models.evaluation_options import EvaluationOptions
    from ..models.evaluations_request_context_type_0 import (
        EvaluationsRequestContextType0,
    )
    from ..models.resource import Resource
    from ..models.subject import Subject


T = TypeVar("T", bound="EvaluationsRequest")


@_attrs_define
class EvaluationsRequest:
    """`POST /access/v1/evaluations`: defaults at the top, questions in `evaluations`.

    Attributes:
        action (Action | None | Unset):
        context (EvaluationsRequestContextType0 | None | Unset):
        evaluations (list[EvaluationItem] | Unset):
        options (EvaluationOptions | Unset):
        resource (None | Resource | Unset):
        subject (None | Subject | Unset):
    """

    action: Action | None | Unset = UNSET
    context: EvaluationsRequestContextType0 | None | Unset = UNSET
    evaluations: list[EvaluationItem] | Unset = UNSET
    options: EvaluationOptions | Unset = UNSET
    resource: None | Resource | Unset = UNSET
    subject: None | Subject | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.action import Action
        from ..models.evaluations_request_context_type_0 import (
            EvaluationsRequestContextType0,
        )
        from ..models.resource import Resource
        from ..models.subject import Subject

        action: dict[str, Any] | None | Unset
        if isinstance(self.action, Unset):
            action = UNSET
        elif isinstance(self.action, Action):
            action = self.action.to_dict()
        else:
            action = self.action

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, EvaluationsRequestContextType0):
            context = self.context.to_dict()
        else:
            context = self.context

        evaluations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.evaluations, Unset):
            evaluations = []
            for evaluations_item_data in self.evaluations:
                evaluations_item = evaluations_item_data.to_dict()
                evaluations.append(evaluations_item)

        options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options.to_dict()

        resource: dict[str, Any] | None | Unset
        if isinstance(self.resource, Unset):
            resource = UNSET
        elif isinstance(self.resource, Resource):
            resource = self.resource.to_dict()
        else:
            resource = self.resource

        subject: dict[str, Any] | None | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        elif isinstance(self.subject, Subject):
            subject = self.subject.to_dict()
        else:
            subject = self.subject

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if action is not UNSET:
            field_dict["action"] = action
        if context is not UNSET:
            field_dict["context"] = context
        if evaluations is not UNSET:
            field_dict["evaluations"] = evaluations
        if options is not UNSET:
            field_dict["options"] = options
        if resource is not UNSET:
            field_dict["resource"] = resource
        if subject is not UNSET:
            field_dict["subject"] = subject

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action import Action
        from ..models.evaluation_item import EvaluationItem
        from ..models.evaluation_options import EvaluationOptions
        from ..models.evaluations_request_context_type_0 import (
            EvaluationsRequestContextType0,
        )
        from ..models.resource import Resource
        from ..models.subject import Subject

        d = dict(src_dict)

        def _parse_action(data: object) -> Action | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                action_type_1 = Action.from_dict(data)

                return action_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Action | None | Unset, data)

        action = _parse_action(d.pop("action", UNSET))

        def _parse_context(
            data: object,
        ) -> EvaluationsRequestContextType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = EvaluationsRequestContextType0.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvaluationsRequestContextType0 | None | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

        _evaluations = d.pop("evaluations", UNSET)
        evaluations: list[EvaluationItem] | Unset = UNSET
        if _evaluations is not UNSET:
            evaluations = []
            for evaluations_item_data in _evaluations:
                evaluations_item = EvaluationItem.from_dict(evaluations_item_data)

                evaluations.append(evaluations_item)

        _options = d.pop("options", UNSET)
        options: EvaluationOptions | Unset
        if isinstance(_options, Unset):
            options = UNSET
        else:
            options = EvaluationOptions.from_dict(_options)

        def _parse_resource(data: object) -> None | Resource | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resource_type_1 = Resource.from_dict(data)

                return resource_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Resource | Unset, data)

        resource = _parse_resource(d.pop("resource", UNSET))

        def _parse_subject(data: object) -> None | Subject | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                subject_type_1 = Subject.from_dict(data)

                return subject_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Subject | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        evaluations_request = cls(
            action=action,
            context=context,
            evaluations=evaluations,
            options=options,
            resource=resource,
            subject=subject,
        )

        evaluations_request.additional_properties = d
        return evaluations_request

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
