"""Commit-to-client latency of the event feed and of webhooks (docs/benchmarks.md
"Event feed and webhooks"): against a running Steward at STEWARD_URL, signs up
an organization, then changes a member's role N times in a loop on one
connection while three clients follow: a Server-Sent Events client on /events,
a long-poll client (`/events?after=..&wait=30`, asking again at once), and a
webhook receiver on 127.0.0.1 (the server needs --webhooks-allow-private).
For each change and each client, the time from sending the PATCH to the event
arriving (an upper bound of commit-to-client: the commit happens inside that
window), and from the PATCH's answer to the event (the event often arrives
first: then 0). Each change waits for all three before the next.
    STEWARD_URL=http://127.0.0.1:8080 STEWARD_LOG=serve.log python3 bench/feed/latency.py [changes]
The new owner proves their address with the link the server writes to its log
(STEWARD_LOG; a server without a mail relay writes mails there). Standard
library only."""
import http.client, json, os, queue, sys, threading, time, urllib.parse, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def long_poll(org, token, after, arrived):
    """The long-poll client: asks again at once with the `after` it was given."""
    conn = connect()
    conn.timeout = 60
    while True:
        conn.request("GET", f"/api/v1/orgs/{org}/events?after={after}&wait=30&limit=1000",
                     headers={"Authorization": "Bearer " + token})
        r = conn.getresponse()
        page = json.loads(r.read())
        now = time.perf_counter()
        for event in page["items"]:
            arrived.put((now, event))
        after = page["after"]


def receive_webhooks(arrived):
    """A webhook receiver on a free port (keep-alive, answers 204 at once):
    answers its URL."""
    class Receive(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            now = time.perf_counter()
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()
            arrived.put((now, json.loads(body)))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/in"


def percentile(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


def next_role_change(arrived, name):
    while True:
        try:
            t, event = arrived.get(timeout=10)
        except queue.Empty:
            sys.exit(f"no event reached the {name} client within 10 s")
        if event["type"] == "user.role_changed":
            return t


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
    clients = {"SSE": queue.Queue(), "long-poll": queue.Queue(), "webhook": queue.Queue()}
    call(conn, "POST", f"/api/v1/orgs/{org}/webhooks",
         {"url": receive_webhooks(clients["webhook"]), "event_types": ["user.role_changed"]}, owner)
    head = call(conn, "GET", f"/api/v1/orgs/{org}/events?limit=1000", token=owner)["after"]
    threading.Thread(target=follow, args=(org, owner, head, clients["SSE"]), daemon=True).start()
    threading.Thread(target=long_poll, args=(org, owner, head, clients["long-poll"]),
                     daemon=True).start()
    time.sleep(0.5)
    sent_to = {name: [] for name in clients}
    answered_to = {name: [] for name in clients}
    for i in range(CHANGES):
        role = "operator" if i % 2 == 0 else "viewer"
        t0 = time.perf_counter()
        call(conn, "PATCH", f"/api/v1/orgs/{org}/members/{member}", {"role": role}, owner)
        t1 = time.perf_counter()
        for name, arrived in clients.items():
            t2 = next_role_change(arrived, name)
            sent_to[name].append((t2 - t0) * 1000)
            answered_to[name].append(max(0.0, (t2 - t1) * 1000))
    for name in clients:
        for what, ms in ((f"PATCH sent -> {name}", sent_to[name]),
                         (f"PATCH answered -> {name}", answered_to[name])):
            ms.sort()
            print(f"{what}: {len(ms)} changes, p50 {percentile(ms, 50):.2f} ms, "
                  f"p99 {percentile(ms, 99):.2f} ms, max {ms[-1]:.2f} ms")


main()
