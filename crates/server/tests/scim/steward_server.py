"""Starts `steward serve` on port 0 over a fresh SQLite file or a fresh
PostgreSQL database, for the suite (conftest.py) and the scale run (scale.py)."""

import os
import re
import secrets
import subprocess
import tempfile
import time
from contextlib import contextmanager

# Each running server's log (stderr): without a relay, its mails are written
# there, and a new owner proves their address with the link (docs/accounts.md).
LOGS = {}


@contextmanager
def steward(backend="sqlite"):
    """Yields the server's base URL; stops it and drops its database after."""
    workdir = tempfile.TemporaryDirectory()
    drop = None
    if backend == "postgres":
        admin = os.environ["STEWARD_TEST_POSTGRES_URL"]
        name = "steward_scim_" + secrets.token_hex(6)
        subprocess.run(["psql", admin, "-qAtc", f"CREATE DATABASE {name}"], check=True)
        url = admin.rsplit("/", 1)[0] + "/" + name

        def drop():
            subprocess.run(["psql", admin, "-qAtc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                           check=False)
    else:
        url = f"sqlite://{workdir.name}/steward.db"
    log_path = os.path.join(workdir.name, "serve.log")
    log = open(log_path, "w", encoding="utf-8")
    child = subprocess.Popen(
        [os.environ.get("STEWARD_BINARY", "target/debug/steward"), "serve",
         "--bind", "127.0.0.1:0", "--signup", "on", "--database-url", url],
        stdout=subprocess.PIPE, stderr=log, text=True, cwd=workdir.name,
    )
    try:
        base = None
        for line in child.stdout:
            m = re.search(r"running at (http://[^\s/]+)/", line)
            if m:
                base = m.group(1)
                break
        assert base, "steward serve did not start"
        LOGS[base] = log_path
        yield base
    finally:
        child.terminate()
        child.wait(timeout=30)
        log.close()
        if drop:
            drop()
        workdir.cleanup()


def sign_in_new_owner(http, base, email, password):
    """The access token of an account just signed up: it proves its address
    with the link mailed to it (read from the server's log) and its password,
    which answers as a login does."""
    for _ in range(200):
        with open(LOGS[base], encoding="utf-8") as f:
            mails = f.read().split("mail written to the log")[1:]
        links = [m.split("/verify-email/", 1)[1].split()[0] for m in mails
                 if f" to={email} " in m.split("\n", 1)[0] and "/verify-email/" in m]
        if links:
            answer = http.post(f"/api/v1/auth/verify-email/{links[-1]}", json={"password": password})
            assert answer.status_code == 200, answer.text
            return answer.json()["access_token"]
        time.sleep(0.05)
    raise AssertionError(f"no address link mailed to {email} in the log")
