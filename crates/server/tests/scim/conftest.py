"""A real `steward serve` per backend (SQLite, and PostgreSQL when
STEWARD_TEST_POSTGRES_URL is set), an organization, and a SCIM token."""

import os
import re
import secrets
import subprocess
import tempfile

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient

PASSWORD = "correct horse battery staple"
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("STEWARD_TEST_POSTGRES_URL") else [])


def _postgres_database():
    admin = os.environ["STEWARD_TEST_POSTGRES_URL"]
    name = "steward_scim_" + secrets.token_hex(6)
    subprocess.run(["psql", admin, "-qAtc", f"CREATE DATABASE {name}"], check=True)
    return admin.rsplit("/", 1)[0] + "/" + name, lambda: subprocess.run(
        ["psql", admin, "-qAtc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False
    )


@pytest.fixture(scope="module", params=BACKENDS)
def server(request):
    workdir = tempfile.TemporaryDirectory()
    drop = None
    if request.param == "postgres":
        url, drop = _postgres_database()
    else:
        url = f"sqlite://{workdir.name}/steward.db"
    child = subprocess.Popen(
        [os.environ.get("STEWARD_BINARY", "target/debug/steward"), "serve",
         "--bind", "127.0.0.1:0", "--signup", "on", "--database-url", url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=workdir.name,
    )
    base = None
    for line in child.stdout:
        m = re.search(r"running at (http://[^\s/]+)/", line)
        if m:
            base = m.group(1)
            break
    assert base, "steward serve did not start"
    yield base
    child.terminate()
    child.wait(timeout=10)
    if drop:
        drop()
    workdir.cleanup()


@pytest.fixture(scope="module")
def org(server):
    """An organization (operations preset) and its owner's access token."""
    http = httpx2.Client(base_url=server)
    email = f"owner-{secrets.token_hex(4)}@acme.test"
    made = http.post("/api/v1/signup", json={
        "email": email, "name": "Olivia Owner", "password": PASSWORD, "org_name": "Acme"})
    assert made.status_code == 201, made.text
    token = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
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
