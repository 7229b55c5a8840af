from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action import Action
    from ..models.evaluation_item_context_type_0 import EvaluationItemContextType0
    from ..models.resource import Resource
    from ..models.subject import Subject


T = TypeVar("T", bound="EvaluationItem")


@_attrs_define
class EvaluationItem:
    """One of `evaluations`: each part it leaves out is the request's own.

    Attributes:
        action (Action | None | Unset):
        context (EvaluationItemContextType0 | None | Unset):
        resource (None | Resource | Unset):
        subject (None | Subject | Unset):
    """

    action: Action | None | Unset = UNSET
    context: EvaluationItemContextType0 | None | Unset = UNSET
    resource: None | Resource | Unset = UNSET
    subject: None | Subject | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.action import Action
        from ..models.evaluation_item_context_type_0 import EvaluationItemContextType0
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
        elif isinstance(self.context, EvaluationItemContextType0):
            context = self.context.to_dict()
        else:
            context = self.context

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
        if resource is not UNSET:
            field_dict["resource"] = resource
        if subject is not UNSET:
            field_dict["subject"] = subject

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action import Action
        from ..models.evaluation_item_context_type_0 import EvaluationItemContextType0
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

        def _parse_context(data: object) -> EvaluationItemContextType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = EvaluationItemContextType0.from_dict(data)

                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvaluationItemContextType0 | None | Unset, data)

        context = _parse_context(d.pop("context", UNSET))

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

        evaluation_item = cls(
            action=action,
            context=context,
            resource=resource,
            subject=subject,
        )

        evaluation_item.additional_properties = d
        return evaluation_item

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
