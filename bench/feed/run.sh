#!/usr/bin/env bash
# Commit-to-client latency of the event feed and of webhooks (docs/benchmarks.md
# "Event feed and webhooks"): starts `steward serve` on a fresh SQLite file and
# runs latency.py against it (a role change loop on one connection; an SSE
# client, a long-poll client and a webhook receiver following).
#   bench/feed/run.sh [release|debug, default release] [changes, default 500]
# STEWARD_BINARY=path uses that binary instead of building one.
# Against a server already running (with --webhooks-allow-private):
#   STEWARD_URL=... python3 bench/feed/latency.py
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${1:-release}
CHANGES=${2:-500}
PORT=${STEWARD_FEED_PORT:-18198}
BINARY=${STEWARD_BINARY:-./target/$PROFILE/steward}
if [ -z "${STEWARD_BINARY:-}" ]; then
  if [ "$PROFILE" = release ]; then cargo build --release --quiet -p steward; else cargo build --quiet -p steward; fi
fi
WORK=$(mktemp -d)
# The webhook receiver listens on 127.0.0.1: private addresses allowed.
RUST_LOG=info "$BINARY" serve --bind 127.0.0.1:$PORT --webhooks-allow-private \
  --database-url "sqlite://$WORK/steward.db" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
echo "== event feed, $PROFILE build, $CHANGES role changes"
STEWARD_URL="http://127.0.0.1:$PORT" STEWARD_LOG="$WORK/serve.log" python3 bench/feed/latency.py "$CHANGES"
