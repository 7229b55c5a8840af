"""The generated client against a live Steward (clients/check.sh starts it and
sets STEWARD_URL): sign up, change a member's role, run a check, read the change
back from the event feed.
"""

import os
import time

import pytest

from steward_client import AuthenticatedClient, Client
from steward_client.api.accounts import sign_up, verify_email
from steward_client.api.api_keys import create_api_key
from steward_client.api.audit import list_events
from steward_client.api.authzen import authzen_evaluation
from steward_client.api.checks import check
from steward_client.api.invitations import accept_invitation, create_invitation
from steward_client.api.members import list_members, update_member
from steward_client.models import (
    AcceptBody,
    Action,
    CheckRequest,
    CreateKey,
    EvaluationRequest,
    InviteBody,
    Resource,
    SignupBody,
    Subject,
    UpdateMember,
    VerifyBody,
)

URL = os.environ.get("STEWARD_URL")
LOG = os.environ.get("STEWARD_LOG", "")
PASSWORD = "correct horse battery staple"


def mailed_token(to):
    """The token of the newest /verify-email/ link mailed to `to`, from the
    server's log (no relay is configured, so mails are written there)."""
    for _ in range(100):
        with open(LOG, encoding="utf-8") as f:
            mails = f.read().split("mail written to the log")[1:]
        found = [
            m.split("/verify-email/", 1)[1].split()[0]
            for m in mails
            if f" to={to} " in m.split("\n", 1)[0] and "/verify-email/" in m
        ]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no address link mailed to {to} in the log")


@pytest.mark.skipif(not URL, reason="STEWARD_URL is not set")
def test_a_signed_up_owner_changes_a_members_role_and_a_check_sees_it():
    anonymous = Client(base_url=URL, raise_on_unexpected_status=True)
    email = f"py-{time.time_ns()}@acme.test"
    signup = sign_up.sync_detailed(
        client=anonymous,
        body=SignupBody(email=email, name="Owner", password=PASSWORD, org_name="Acme Py"),
    )
    assert signup.status_code == 201, signup.content
    org = signup.parsed.org.id
    # A new account proves its address before it signs in: the mailed link and
    # the password together, which answer as a login does.
    login = verify_email.sync(mailed_token(email), client=anonymous, body=VerifyBody(password=PASSWORD))
    owner = AuthenticatedClient(base_url=URL, token=login.access_token)

    invitation = create_invitation.sync(
        org, client=owner, body=InviteBody(email=f"vera-{email}", name="Vera", role="viewer")
    )
    vera = accept_invitation.sync(invitation.token, client=anonymous, body=AcceptBody(password=PASSWORD)).user_id

    key = create_api_key.sync(org, client=owner, body=CreateKey(name="back-end", permissions=["check", "events"]))
    back_end = AuthenticatedClient(base_url=URL, token=key.key)

    def ask():
        answer = check.sync(
            org, client=back_end, body=CheckRequest(user_id=vera, action="members:manage", object_id=org)
        )
        return answer.allowed, answer.reason

    assert ask() == (False, "no_permission")
    changed = update_member.sync_detailed(org, vera, client=owner, body=UpdateMember(role="admin"))
    assert changed.status_code == 200, changed.content
    assert ask() == (True, f"role:admin@{org}")

    admins = list_members.sync(org, client=owner, role="admin")
    assert [m.user_id for m in admins.items] == [vera]

    # The same question in AuthZEN's words, with the same key.
    evaluation = authzen_evaluation.sync(
        client=back_end,
        body=EvaluationRequest(
            subject=Subject(type_="user", id=vera),
            action=Action(name="members:manage"),
            resource=Resource(type_="organization", id=org),
        ),
    )
    assert (evaluation.decision, evaluation.context.reason) == (True, f"role:admin@{org}")

    # The back-end reacts to changes by following the feed, oldest first.
    feed = list_events.sync(org, client=back_end, after=0)
    role_changes = [e for e in feed.items if e.type_ == "user.role_changed" and e.target_id == vera]
    assert len(role_changes) == 1, [e.type_ for e in feed.items]
    assert [e.seq for e in feed.items] == sorted(e.seq for e in feed.items)
