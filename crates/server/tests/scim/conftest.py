"""A real `steward serve` per backend (SQLite, and PostgreSQL when
STEWARD_TEST_POSTGRES_URL is set), an organization, and a SCIM token."""

import os
import secrets

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from steward_server import sign_in_new_owner, steward

PASSWORD = "correct horse battery staple"
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("STEWARD_TEST_POSTGRES_URL") else [])


@pytest.fixture(scope="module", params=BACKENDS)
def server(request):
    with steward(request.param) as base:
        yield base


@pytest.fixture(scope="module")
def org(server):
    """An organization (operations preset) and its owner's access token."""
    http = httpx2.Client(base_url=server)
    email = f"owner-{secrets.token_hex(4)}@acme.test"
    made = http.post("/api/v1/signup", json={
        "email": email, "name": "Olivia Owner", "password": PASSWORD, "org_name": "Acme"})
    assert made.status_code == 201, made.text
    token = sign_in_new_owner(http, server, email, PASSWORD)
    return {"id": made.json()["org"]["id"], "token": token, "http": http}


@pytest.fixture(scope="module")
def scim(server, org):
    made = org["http"].post(f"/api/v1/orgs/{org['id']}/scim-tokens",
                            headers={"Authorization": f"Bearer {org['token']}"},
                            json={"name": "scim2-client"})
    assert made.status_code == 201, made.text
    client = httpx2.Client(base_url=made.json()["base_url"],
                           headers={"Authorization": f"Bearer {made.json()['key']}"})
    scim = SyncSCIMClient(client)
    scim.discover()
    return scim
