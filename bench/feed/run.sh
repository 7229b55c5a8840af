#!/usr/bin/env bash
# Commit-to-SSE-client latency of the event feed (docs/benchmarks.md "Event
# feed"): starts `steward serve` on a fresh SQLite file and runs latency.py
# against it (a role change loop on one connection, an SSE client on another).
#   bench/feed/run.sh [release|debug, default release] [changes, default 500]
# Against a server already running: STEWARD_URL=... python3 bench/feed/latency.py
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${1:-release}
CHANGES=${2:-500}
PORT=${STEWARD_FEED_PORT:-18198}
if [ "$PROFILE" = release ]; then cargo build --release --quiet -p steward; else cargo build --quiet -p steward; fi
WORK=$(mktemp -d)
RUST_LOG=info ./target/"$PROFILE"/steward serve --bind 127.0.0.1:$PORT \
  --database-url "sqlite://$WORK/steward.db" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
echo "== event feed, $PROFILE build, $CHANGES role changes"
STEWARD_URL="http://127.0.0.1:$PORT" STEWARD_LOG="$WORK/serve.log" python3 bench/feed/latency.py "$CHANGES"
