"""A webhook receiver that checks every request with the `standardwebhooks`
library and appends `webhook-id seq received_ms` to its idempotency log
before answering 204 (so an id in the log was processed). A request that does
not verify is answered 400 and logged as BAD.
Usage: receiver.py PORT SECRET LOG"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

port, secret, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
verifier = Webhook(secret)
log = open(log_path, "a", encoding="utf-8")


class Receive(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            payload = verifier.verify(body, headers)
        except Exception as e:  # the library's WebhookVerificationError, or worse
            log.write(f"BAD {headers.get('webhook-id')} {e}\n")
            log.flush()
            self.send_response(400)
            self.end_headers()
            return
        if isinstance(payload, (bytes, str)):
            payload = json.loads(payload)
        log.write(f"{headers['webhook-id']} {payload['data']['seq']} {int(time.time() * 1000)}\n")
        log.flush()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(("127.0.0.1", port), Receive).serve_forever()
