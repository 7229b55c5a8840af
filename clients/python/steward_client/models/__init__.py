"""Contains all the data models used in inputs/outputs"""

from .accept_body import AcceptBody
from .account_view import AccountView
from .action import Action
from .action_properties_type_0 import ActionPropertiesType0
from .actions_view import ActionsView
from .audit_event import AuditEvent
from .audit_event_data import AuditEventData
from .audit_event_names import AuditEventNames
from .authzen_configuration import AuthzenConfiguration
from .batch_answer import BatchAnswer
from .batch_request import BatchRequest
from .bulk_delete_body import BulkDeleteBody
from .bulk_delete_view import BulkDeleteView
from .chain_view import ChainView
from .chained_event import ChainedEvent
from .chained_event_data import ChainedEventData
from .chained_event_names import ChainedEventNames
from .challenge_answer import ChallengeAnswer
from .change_password_body import ChangePasswordBody
from .check_answer import CheckAnswer
from .check_request import CheckRequest
from .code_body import CodeBody
from .create_key import CreateKey
from .create_object import CreateObject
from .create_org import CreateOrg
from .create_scim_token import CreateScimToken
from .decision_context import DecisionContext
from .delivery_view import DeliveryView
from .disable_body import DisableBody
from .discovery_document import DiscoveryDocument
from .enrolment_answer import EnrolmentAnswer
from .error_body import ErrorBody
from .error_fields import ErrorFields
from .evaluation_answer import EvaluationAnswer
from .evaluation_item import EvaluationItem
from .evaluation_item_context_type_0 import EvaluationItemContextType0
from .evaluation_options import EvaluationOptions
from .evaluation_request import EvaluationRequest
from .evaluation_request_context_type_0 import EvaluationRequestContextType0
from .evaluations_answer import EvaluationsAnswer
from .evaluations_request import EvaluationsRequest
from .evaluations_request_context_type_0 import EvaluationsRequestContextType0
from .feed_page import FeedPage
from .grant_body import GrantBody
from .grant_view import GrantView
from .group_view import GroupView
from .import_answer import ImportAnswer
from .import_row_error import ImportRowError
from .imported_row import ImportedRow
from .invitation_view import InvitationView
from .invite_body import InviteBody
from .key_view import KeyView
from .locked_action import LockedAction
from .login_body import LoginBody
from .mapping_choice import MappingChoice
from .me_view import MeView
from .member_view import MemberView
from .membership_view import MembershipView
from .my_access import MyAccess
from .new_password_body import NewPasswordBody
from .new_webhook import NewWebhook
from .nominate_body import NominateBody
from .object_view import ObjectView
from .on_deprovision import OnDeprovision
from .org_deletion import OrgDeletion
from .org_ref import OrgRef
from .org_view import OrgView
from .owner_body import OwnerBody
from .page_audit_event import PageAuditEvent
from .page_audit_event_items_item import PageAuditEventItemsItem
from .page_audit_event_items_item_data import PageAuditEventItemsItemData
from .page_audit_event_items_item_names import PageAuditEventItemsItemNames
from .page_delivery_view import PageDeliveryView
from .page_delivery_view_items_item import PageDeliveryViewItemsItem
from .page_key_view import PageKeyView
from .page_key_view_items_item import PageKeyViewItemsItem
from .page_member_view import PageMemberView
from .page_member_view_items_item import PageMemberViewItemsItem
from .page_object_view import PageObjectView
from .page_object_view_items_item import PageObjectViewItemsItem
from .page_scim_token_view import PageScimTokenView
from .page_scim_token_view_items_item import PageScimTokenViewItemsItem
from .page_webhook_view import PageWebhookView
from .page_webhook_view_items_item import PageWebhookViewItemsItem
from .permission_entry import PermissionEntry
from .permissions_view import PermissionsView
from .policy_view import PolicyView
from .policy_view_action_labels import PolicyViewActionLabels
from .recovery_codes_answer import RecoveryCodesAnswer
from .refresh_body import RefreshBody
from .refused_member import RefusedMember
from .reset_request_body import ResetRequestBody
from .resource import Resource
from .resource_properties_type_0 import ResourcePropertiesType0
from .role_view import RoleView
from .scim_settings import ScimSettings
from .scim_token_view import ScimTokenView
from .scope_held import ScopeHeld
from .scope_roles_body import ScopeRolesBody
from .scope_view import ScopeView
from .second_factor_login_body import SecondFactorLoginBody
from .second_factor_setting import SecondFactorSetting
from .second_factor_status import SecondFactorStatus
from .semantic import Semantic
from .signup_answer import SignupAnswer
from .signup_body import SignupBody
from .sso_domain_view import SsoDomainView
from .sso_settings_body import SsoSettingsBody
from .sso_view import SsoView
from .start_answer import StartAnswer
from .start_body import StartBody
from .subject import Subject
from .subject_properties_type_0 import SubjectPropertiesType0
from .token_answer import TokenAnswer
from .transfer_view import TransferView
from .type_view import TypeView
from .update_member import UpdateMember
from .update_object import UpdateObject
from .verify_body import VerifyBody
from .webhook_change import WebhookChange
from .webhook_view import WebhookView

__all__ = (
    "AcceptBody",
    "AccountView",
    "Action",
    "ActionPropertiesType0",
    "ActionsView",
    "AuditEvent",
    "AuditEventData",
    "AuditEventNames",
    "AuthzenConfiguration",
    "BatchAnswer",
    "BatchRequest",
    "BulkDeleteBody",
    "BulkDeleteView",
    "ChainView",
    "ChainedEvent",
    "ChainedEventData",
    "ChainedEventNames",
    "ChallengeAnswer",
    "ChangePasswordBody",
    "CheckAnswer",
    "CheckRequest",
    "CodeBody",
    "CreateKey",
    "CreateObject",
    "CreateOrg",
    "CreateScimToken",
    "DecisionContext",
    "DeliveryView",
    "DisableBody",
    "DiscoveryDocument",
    "EnrolmentAnswer",
    "ErrorBody",
    "ErrorFields",
    "EvaluationAnswer",
    "EvaluationItem",
    "EvaluationItemContextType0",
    "EvaluationOptions",
    "EvaluationRequest",
    "EvaluationRequestContextType0",
    "EvaluationsAnswer",
    "EvaluationsRequest",
    "EvaluationsRequestContextType0",
    "FeedPage",
    "GrantBody",
    "GrantView",
    "GroupView",
    "ImportAnswer",
    "ImportRowError",
    "ImportedRow",
    "InvitationView",
    "InviteBody",
    "KeyView",
    "LockedAction",
    "LoginBody",
    "MappingChoice",
    "MeView",
    "MemberView",
    "MembershipView",
    "MyAccess",
    "NewPasswordBody",
    "NewWebhook",
    "NominateBody",
    "ObjectView",
    "OnDeprovision",
    "OrgDeletion",
    "OrgRef",
    "OrgView",
    "OwnerBody",
    "PageAuditEvent",
    "PageAuditEventItemsItem",
    "PageAuditEventItemsItemData",
    "PageAuditEventItemsItemNames",
    "PageDeliveryView",
    "PageDeliveryViewItemsItem",
    "PageKeyView",
    "PageKeyViewItemsItem",
    "PageMemberView",
    "PageMemberViewItemsItem",
    "PageObjectView",
    "PageObjectViewItemsItem",
    "PageScimTokenView",
    "PageScimTokenViewItemsItem",
    "PageWebhookView",
    "PageWebhookViewItemsItem",
    "PermissionEntry",
    "PermissionsView",
    "PolicyView",
    "PolicyViewActionLabels",
    "RecoveryCodesAnswer",
    "RefreshBody",
    "RefusedMember",
    "ResetRequestBody",
    "Resource",
    "ResourcePropertiesType0",
    "RoleView",
    "ScimSettings",
    "ScimTokenView",
    "ScopeHeld",
    "ScopeRolesBody",
    "ScopeView",
    "SecondFactorLoginBody",
    "SecondFactorSetting",
    "SecondFactorStatus",
    "Semantic",
    "SignupAnswer",
    "SignupBody",
    "SsoDomainView",
    "SsoSettingsBody",
    "SsoView",
    "StartAnswer",
    "StartBody",
    "Subject",
    "SubjectPropertiesType0",
    "TokenAnswer",
    "TransferView",
    "TypeView",
    "UpdateMember",
    "UpdateObject",
    "VerifyBody",
    "WebhookChange",
    "WebhookView",
)
