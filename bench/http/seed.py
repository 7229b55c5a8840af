"""Seeds the load test's organization over the HTTP API and prints shell
variables for run.sh: the org, an API key, a member, a site, a batch body."""
import json, os, random, time, urllib.request

URL = os.environ["STEWARD_URL"]
WORK = os.environ["WORK"]
PASSWORD = "load test password"


def call(method, path, body=None, token=None):
    req = urllib.request.Request(URL + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        text = r.read()
        return json.loads(text) if text else None


def prove_address(email):
    """A new owner signs in by the address link, which the server writes to its
    log when no mail relay is configured (run.sh's serve.log)."""
    for _ in range(100):
        with open(os.path.join(WORK, "serve.log"), encoding="utf-8", errors="replace") as f:
            mails = f.read().split("mail written to the log")[1:]
        links = [m[m.find("/verify-email/"):].split()[0] for m in mails
                 if f" to={email} " in m.splitlines()[0] and "/verify-email/" in m]
        if links:
            token = links[-1][len("/verify-email/"):]
            return call("POST", f"/api/v1/auth/verify-email/{token}", {"password": PASSWORD})["access_token"]
        time.sleep(0.05)
    raise SystemExit(f"no address link for {email} in {WORK}/serve.log")


org = call("POST", "/api/v1/signup", {"email": "owner@load.test", "name": "Owner",
                                       "password": PASSWORD, "org_name": "Load"})["org"]["id"]
owner = prove_address("owner@load.test")
sites = [call("POST", f"/api/v1/orgs/{org}/objects", {"type": "site", "name": f"Site {i}"}, owner)["id"]
         for i in range(100)]
members = []
for i in range(50):
    inv = call("POST", f"/api/v1/orgs/{org}/invitations",
               {"email": f"m{i}@load.test", "name": f"Member {i}", "role": "viewer"}, owner)
    m = call("POST", f"/api/v1/invitations/{inv['token']}/accept", {"password": PASSWORD})
    members.append(m["user_id"])
    for s in random.Random(i).sample(sites, 3):
        call("PUT", f"/api/v1/orgs/{org}/members/{m['user_id']}/scopes/{s}", {"roles": ["viewer"]}, owner)
key = call("POST", f"/api/v1/orgs/{org}/api-keys", {"name": "load"}, owner)["key"]
rng = random.Random(7)
batch = {"checks": [{"user_id": rng.choice(members), "action": rng.choice(["site:view", "site:operate"]),
                     "object_id": rng.choice(sites)} for _ in range(100)]}
path = os.path.join(WORK, "batch.json")
with open(path, "w") as f:
    json.dump(batch, f)
print(f"STEWARD_ORG={org}\nSTEWARD_KEY={key}\nSTEWARD_USER={members[0]}\n"
      f"STEWARD_OBJECT={sites[0]}\nSTEWARD_BATCH_BODY={path}")
