"""Holds N Server-Sent Events clients open on the load test's organization and
makes a steady trickle of changes (a member's role, back and forth) for
bench/feed/check_under_feed.sh; on SIGTERM prints how many events the clients
received in all. Needs STEWARD_URL and STEWARD_ORG (bench/http/seed.py's org).
    python3 bench/feed/feed_clients.py CLIENTS CHANGES_PER_SECOND
Standard library only."""
import http.client, json, os, signal, sys, threading, time, urllib.parse

URL = urllib.parse.urlparse(os.environ["STEWARD_URL"])
ORG = os.environ["STEWARD_ORG"]
PASSWORD = "load test password"  # bench/http/seed.py's
CLIENTS, RATE = int(sys.argv[1]), float(sys.argv[2])
received = [0]
lock = threading.Lock()


def connect(timeout=30):
    return http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=timeout)


def call(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    r = conn.getresponse()
    text = r.read()
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {text[:300]!r}")
    return json.loads(text) if text else None


def follow(token, after):
    conn = connect(timeout=None)
    conn.request("GET", f"/api/v1/orgs/{ORG}/events", headers={
        "Authorization": "Bearer " + token, "Accept": "text/event-stream",
        "Last-Event-ID": str(after)})
    r = conn.getresponse()
    assert r.status == 200, r.status
    while True:
        line = r.fp.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            with lock:
                received[0] += 1


def main():
    conn = connect()
    owner = call(conn, "POST", "/api/v1/auth/login",
                 {"email": "owner@load.test", "password": PASSWORD})["access_token"]
    members = call(conn, "GET", f"/api/v1/orgs/{ORG}/members?limit=100", token=owner)["items"]
    # The last member seeded: not the one wrk checks.
    member = next(m["user_id"] for m in members if m["email"] == "m49@load.test")
    head = call(conn, "GET", f"/api/v1/orgs/{ORG}/events?limit=1", token=owner)
    after = 0 if not head["items"] else head["items"][0]["seq"] - 1
    after = call(conn, "GET", f"/api/v1/orgs/{ORG}/events?after={after}&limit=1000", token=owner)["after"]
    for _ in range(CLIENTS):
        threading.Thread(target=follow, args=(owner, after), daemon=True).start()
    changes = [0]

    def report(*_):
        print(f"{CLIENTS} SSE clients received {received[0]} events of {changes[0]} changes")
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    time.sleep(1)
    print(f"{CLIENTS} SSE clients open, {RATE:g} changes/s", flush=True)
    while True:
        role = "operator" if changes[0] % 2 == 0 else "viewer"
        call(conn, "PATCH", f"/api/v1/orgs/{ORG}/members/{member}", {"role": role}, owner)
        changes[0] += 1
        time.sleep(1 / RATE)


main()
