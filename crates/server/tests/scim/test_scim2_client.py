"""Every SCIM operation Steward serves, driven by scim2-client (python-scim):
discovery, Users and Groups created, read, searched, replaced, patched and
deleted, ETags, and SCIM errors, as an outside client sees them."""

import secrets

import pytest
from scim2_models import (
    PatchOp,
    PatchOperation,
    SCIMException,
    SearchRequest,
)


def new_user(scim, given="Ann", family="Lee"):
    User = scim.get_resource_model("User")
    address = f"{given.lower()}.{secrets.token_hex(3)}@example.com"
    return User.model_validate({
        "userName": address,
        "externalId": secrets.token_hex(4),
        "name": {"givenName": given, "familyName": family},
        "displayName": f"{given} {family}",
        "emails": [{"value": address, "type": "work", "primary": True}],
        "active": True,
    })


def test_the_client_discovers_users_groups_and_what_is_supported(scim):
    config = scim.provider.config
    assert config.patch.supported
    assert config.filter.supported
    assert config.etag.supported
    assert scim.get_resource_model("User") is not None
    assert scim.get_resource_model("Group") is not None


def test_a_user_is_created_read_and_found_by_filter(scim):
    User = scim.get_resource_model("User")
    made = scim.create(new_user(scim))
    assert made.id and made.active
    assert made.meta.version
    read = scim.query(User, made.id)
    assert read.user_name == made.user_name
    assert read.name.given_name == "Ann"
    found = scim.query(User, query_parameters=SearchRequest(filter=f'userName eq "{made.user_name.upper()}"'))
    assert found.total_results == 1
    assert found.resources[0].id == made.id
    for f in [f'externalId eq "{made.external_id}"', f'emails.value co "{made.user_name[:8]}"',
              'displayName sw "ann"', "externalId pr", f'userName ne "{made.user_name}"',
              f'displayName sw "Ann" and userName eq "{made.user_name}"',
              f'userName eq "{made.user_name}" or userName eq "nobody@example.com"']:
        answer = scim.query(User, query_parameters=SearchRequest(filter=f))
        assert answer.total_results >= 1, f


def test_users_are_paged_and_projected(scim):
    User = scim.get_resource_model("User")
    for _ in range(3):
        scim.create(new_user(scim, given="Pat"))
    page = scim.query(User, query_parameters=SearchRequest(start_index=2, count=2))
    assert page.start_index == 2
    assert page.items_per_page == 2
    assert page.total_results >= 4
    only = scim.query(User, query_parameters=SearchRequest(attributes=["userName"], count=1))
    assert only.resources[0].user_name
    assert not only.resources[0].emails


def test_a_user_is_replaced_and_patched_with_and_without_a_path(scim):
    User = scim.get_resource_model("User")
    made = scim.create(new_user(scim))
    made.display_name = "Anna Lee"
    made.name.given_name = "Anna"
    replaced = scim.replace(made)
    assert replaced.display_name == "Anna Lee"
    assert replaced.meta.version != made.meta.version
    patch = PatchOp[User](operations=[
        PatchOperation[User](op="replace", path="displayName", value="Anna L."),
        PatchOperation[User](op="add", path="title", value="Engineer"),
        PatchOperation[User](op="replace", value={"name.familyName": "Lee-Smith"}),
    ])
    scim.modify(User, made.id, patch)
    read = scim.query(User, made.id)
    assert read.display_name == "Anna L."
    assert read.title == "Engineer"
    assert read.name.family_name == "Lee-Smith"
    scim.modify(User, made.id, PatchOp[User](operations=[PatchOperation[User](op="remove", path="title")]))
    assert scim.query(User, made.id).title is None


def test_deactivating_and_deleting_a_user(scim):
    User = scim.get_resource_model("User")
    made = scim.create(new_user(scim))
    scim.modify(User, made.id, PatchOp[User](operations=[
        PatchOperation[User](op="replace", path="active", value=False)]))
    assert scim.query(User, made.id).active is False
    scim.delete(User, made.id)
    with pytest.raises(SCIMException) as refused:
        scim.query(User, made.id)
    assert refused.value.to_error().status == 404


def test_a_second_user_with_the_same_user_name_is_a_uniqueness_error(scim):
    made = scim.create(new_user(scim))
    again = new_user(scim)
    again.user_name = made.user_name.upper()
    again = type(again).model_validate({**again.model_dump(by_alias=True, exclude_none=True),
                                        "emails": [{"value": made.user_name, "primary": True}]})
    with pytest.raises(SCIMException) as refused:
        scim.create(again)
    error = refused.value.to_error()
    assert error.status == 409
    assert error.scim_type == "uniqueness"


def test_a_group_is_created_patched_replaced_searched_and_deleted(scim):
    Group = scim.get_resource_model("Group")
    ann = scim.create(new_user(scim))
    bob = scim.create(new_user(scim, given="Bob"))
    group = scim.create(Group.model_validate({"displayName": "Engineering " + secrets.token_hex(2),
                                              "members": [{"value": ann.id}]}))
    assert [m.value for m in group.members] == [ann.id]
    scim.modify(Group, group.id, PatchOp[Group](operations=[
        PatchOperation[Group](op="add", path="members", value=[{"value": bob.id}]),
        PatchOperation[Group](op="remove", path=f'members[value eq "{ann.id}"]'),
    ]))
    read = scim.query(Group, group.id)
    assert [m.value for m in read.members] == [bob.id]
    read.display_name = read.display_name + " (renamed)"
    replaced = scim.replace(read)
    assert replaced.display_name.endswith("(renamed)")
    found = scim.query(Group, query_parameters=SearchRequest(filter=f'displayName eq "{replaced.display_name}"'))
    assert found.total_results == 1
    scim.delete(Group, group.id)
    with pytest.raises(SCIMException):
        scim.query(Group, group.id)


def test_a_malformed_filter_is_an_invalid_filter_error(scim):
    User = scim.get_resource_model("User")
    with pytest.raises(SCIMException) as refused:
        scim.query(User, query_parameters={"filter": 'userName zz "a"'}, check_request_payload=False)
    assert refused.value.to_error().scim_type == "invalidFilter"


def test_an_org_that_chose_suspend_suspends_on_deactivation_and_reinstates(scim, org):
    """docs/provisioning.md#suspension: `active: false` keeps the member,
    suspended, and `active: true` brings them back with their role."""
    http, auth = org["http"], {"Authorization": f"Bearer {org['token']}"}
    settings = f"/api/v1/orgs/{org['id']}/scim-settings"
    chosen = http.put(settings, headers=auth, json={"on_deprovision": "suspend"})
    assert chosen.status_code == 200, chosen.text
    try:
        User = scim.get_resource_model("User")
        made = scim.create(new_user(scim, given="Sue"))
        member = f"/api/v1/orgs/{org['id']}/members/{made.id}"
        scim.modify(User, made.id, PatchOp[User](operations=[
            PatchOperation[User](op="replace", path="active", value=False)]))
        assert scim.query(User, made.id).active is False
        held = http.get(member, headers=auth)
        assert held.status_code == 200, held.text
        assert held.json()["suspended"] is True
        scim.modify(User, made.id, PatchOp[User](operations=[
            PatchOperation[User](op="replace", path="active", value=True)]))
        assert scim.query(User, made.id).active is True
        back = http.get(member, headers=auth).json()
        assert back["suspended"] is False
        assert back["role"] == "viewer"
    finally:
        http.put(settings, headers=auth, json={"on_deprovision": "remove"})
