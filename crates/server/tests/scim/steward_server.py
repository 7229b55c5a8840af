"""Starts `steward serve` on port 0 over a fresh SQLite file or a fresh
PostgreSQL database, for the suite (conftest.py) and the scale run (scale.py)."""

import os
import re
import secrets
import subprocess
import tempfile
from contextlib import contextmanager


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
    child = subprocess.Popen(
        [os.environ.get("STEWARD_BINARY", "target/debug/steward"), "serve",
         "--bind", "127.0.0.1:0", "--signup", "on", "--database-url", url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=workdir.name,
    )
    try:
        base = None
        for line in child.stdout:
            m = re.search(r"running at (http://[^\s/]+)/", line)
            if m:
                base = m.group(1)
                break
        assert base, "steward serve did not start"
        yield base
    finally:
        child.terminate()
        child.wait(timeout=30)
        if drop:
            drop()
        workdir.cleanup()
