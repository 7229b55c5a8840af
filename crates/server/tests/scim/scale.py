"""A directory sync at scale, as Okta sends it: for each of USERS people a
lookup by userName then a create; GROUPS groups created and filled by PATCH
(members add, 200 at a time); UPDATES updates (half a PATCH of the name as
Entra ID sends it, half a PUT of the whole user as Okta does); DEACTIVATIONS
deactivations (PATCH active false). One client, one request at a time; the
time of every request is kept and the p50, p99 and max per kind and the
whole sync's duration are printed (docs/benchmarks.md).

Before the sync, and outside its figures, two floors over the same connection:
FLOOR requests to `/healthz` (what this client and HTTP cost, with nothing
behind them) and FLOOR reads of `ServiceProviderConfig` (a SCIM request's fixed
cost: the token, the limiter, the request log, no model).

Usage: crates/server/tests/scim/run-scale [--users N] [--backend sqlite|postgres]
"""

import argparse
import secrets
import statistics
import time

import httpx2
from steward_server import sign_in_new_owner, steward

PASSWORD = "correct horse battery staple"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--groups", type=int, default=50)
    ap.add_argument("--updates", type=int, default=1_000)
    ap.add_argument("--deactivations", type=int, default=500)
    ap.add_argument("--backend", default="sqlite")
    ap.add_argument("--floor", type=int, default=1_000)
    args = ap.parse_args()
    times = {}
    floors = {}

    with steward(args.backend) as base:
        http = httpx2.Client(base_url=base, timeout=60)
        made = http.post("/api/v1/signup", json={
            "email": "owner@scale.example", "name": "Owner", "password": PASSWORD, "org_name": "Scale"})
        org = made.json()["org"]["id"]
        token = sign_in_new_owner(http, base, "owner@scale.example", PASSWORD)
        made = http.post(f"/api/v1/orgs/{org}/scim-tokens", json={"name": "Okta"},
                         headers={"Authorization": f"Bearer {token}"}).json()
        scim = httpx2.Client(base_url=made["base_url"] + "/", timeout=60, headers={
            "Authorization": f"Bearer {made['key']}", "Content-Type": "application/scim+json"})

        def send(kind, method, path, body=None, expect=(200, 201, 204)):
            started = time.perf_counter()
            answer = scim.request(method, path, json=body)
            times.setdefault(kind, []).append(time.perf_counter() - started)
            assert answer.status_code in expect, f"{method} {path}: {answer.status_code} {answer.text}"
            return answer.json() if answer.content else None

        def floor(kind, url):
            for _ in range(args.floor):
                started = time.perf_counter()
                answer = scim.get(url)
                floors.setdefault(kind, []).append(time.perf_counter() - started)
                assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text}"

        floor("floor: /healthz", base + "/healthz")
        floor("floor: SCIM read", "ServiceProviderConfig")

        sync_started = time.perf_counter()
        ids = []
        for i in range(args.users):
            name = f"user{i:05d}@scale.example"
            found = send("lookup", "GET", f'Users?filter=userName eq "{name}"')
            assert found["totalResults"] == 0
            user = send("create user", "POST", "Users", {
                "schemas": [USER], "userName": name, "externalId": f"00u{i:05d}",
                "name": {"givenName": "User", "familyName": f"{i:05d}"},
                "emails": [{"value": name, "type": "work", "primary": True}], "active": True})
            ids.append(user["id"])
        per_group = max(1, len(ids) // args.groups)
        for g in range(args.groups):
            group = send("create group", "POST", "Groups", {"displayName": f"Group {g:02d}", "members": []})
            members = ids[g * per_group:(g + 1) * per_group]
            send("group members", "PATCH", f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
                {"op": "add", "path": "members", "value": [{"value": m} for m in members]}]})
        for i, uid in enumerate(ids[:args.updates]):
            if i % 2:
                send("update (PATCH)", "PATCH", f"Users/{uid}", {"schemas": [PATCH], "Operations": [
                    {"op": "replace", "value": {"displayName": f"Renamed {i}", "name.givenName": "Renamed"}}]})
            else:
                name = f"user{i:05d}@scale.example"
                send("update (PUT)", "PUT", f"Users/{uid}", {
                    "schemas": [USER], "id": uid, "userName": name, "externalId": f"00u{i:05d}",
                    "name": {"givenName": "Renamed", "familyName": f"{i:05d}"},
                    "emails": [{"value": name, "type": "work", "primary": True}], "active": True})
        for uid in ids[-args.deactivations:] if args.deactivations else []:
            send("deactivate", "PATCH", f"Users/{uid}", {"schemas": [PATCH], "Operations": [
                {"op": "replace", "path": "active", "value": False}]})
        total = time.perf_counter() - sync_started

    every = [t for ts in times.values() for t in ts]
    print(f"backend {args.backend}: {len(every)} requests in {total:.1f} s")
    print(f"{'requests':<16} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, ts in list(times.items()) + [("all", every)] + list(floors.items()):
        print(f"{kind:<16} {len(ts):>6} {statistics.median(ts) * 1000:>8.1f} "
              f"{percentile(ts, 99) * 1000:>8.1f} {max(ts) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
