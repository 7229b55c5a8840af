"""Commit-to-client latency of the event feed (docs/benchmarks.md "Event feed"):
against a running Steward at STEWARD_URL, signs up an organization, then changes
a member's role N times in a loop on one connection while a Server-Sent Events
client on another connection follows /events; for each change, the time from
sending the PATCH to the event arriving on the stream (an upper bound of
commit-to-client: the commit happens inside that window), and from the PATCH's
answer to the event (the event often arrives first: then 0).
    STEWARD_URL=http://127.0.0.1:8080 STEWARD_LOG=serve.log python3 bench/feed/latency.py [changes]
The new owner proves their address with the link the server writes to its log
(STEWARD_LOG; a server without a mail relay writes mails there). Standard
library only."""
import http.client, json, os, queue, sys, threading, time, urllib.parse, uuid

URL = urllib.parse.urlparse(os.environ.get("STEWARD_URL", "http://127.0.0.1:8080"))
CHANGES = int(sys.argv[1]) if len(sys.argv) > 1 else 500
PASSWORD = "feed latency password"


def connect():
    return http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=30)


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


def prove_address(conn, email):
    """Opens the address link mailed to `email` (read from the server's log): signs in."""
    for _ in range(100):
        with open(os.environ["STEWARD_LOG"], encoding="utf-8", errors="replace") as f:
            mails = f.read().split("mail written to the log")[1:]
        links = [m[m.find("/verify-email/"):].split()[0] for m in mails
                 if f" to={email} " in m.splitlines()[0] and "/verify-email/" in m]
        if links:
            token = links[-1][len("/verify-email/"):]
            return call(conn, "POST", f"/api/v1/auth/verify-email/{token}",
                        {"password": PASSWORD})["access_token"]
        time.sleep(0.05)
    sys.exit(f"no address link for {email} in {os.environ['STEWARD_LOG']}")


def follow(org, token, after, arrived):
    """The SSE client: puts (arrival time, event) for every event."""
    conn = connect()
    conn.timeout = None
    conn.request("GET", f"/api/v1/orgs/{org}/events", headers={
        "Authorization": "Bearer " + token, "Accept": "text/event-stream",
        "Last-Event-ID": str(after)})
    r = conn.getresponse()
    assert r.status == 200, r.status
    data = None
    while True:
        line = r.fp.readline()
        if not line:
            return
        line = line.decode().rstrip("\n")
        if line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and data is not None:
            arrived.put((time.perf_counter(), json.loads(data)))
            data = None


def percentile(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


def main():
    conn = connect()
    tag = uuid.uuid4().hex[:8]
    owner_email = f"owner-{tag}@feed.test"
    org = call(conn, "POST", "/api/v1/signup", {"email": owner_email, "name": "Owner",
                                                "password": PASSWORD, "org_name": f"Feed {tag}"})["org"]["id"]
    owner = prove_address(conn, owner_email)
    inv = call(conn, "POST", f"/api/v1/orgs/{org}/invitations",
               {"email": f"m-{tag}@feed.test", "name": "Member", "role": "viewer"}, owner)
    member = call(conn, "POST", f"/api/v1/invitations/{inv['token']}/accept", {"password": PASSWORD})["user_id"]
    head = call(conn, "GET", f"/api/v1/orgs/{org}/events?limit=1000", token=owner)["after"]
    arrived = queue.Queue()
    threading.Thread(target=follow, args=(org, owner, head, arrived), daemon=True).start()
    time.sleep(0.5)
    sent_to_event, answered_to_event = [], []
    for i in range(CHANGES):
        role = "operator" if i % 2 == 0 else "viewer"
        t0 = time.perf_counter()
        call(conn, "PATCH", f"/api/v1/orgs/{org}/members/{member}", {"role": role}, owner)
        t1 = time.perf_counter()
        while True:
            t2, event = arrived.get(timeout=10)
            if event["type"] == "user.role_changed":
                break
        sent_to_event.append((t2 - t0) * 1000)
        answered_to_event.append(max(0.0, (t2 - t1) * 1000))
    for name, ms in (("PATCH sent -> SSE event", sent_to_event),
                     ("PATCH answered -> SSE event", answered_to_event)):
        ms.sort()
        print(f"{name}: {len(ms)} changes, p50 {percentile(ms, 50):.2f} ms, "
              f"p99 {percentile(ms, 99):.2f} ms, max {ms[-1]:.2f} ms")


main()
