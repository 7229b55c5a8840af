#!/usr/bin/env bash
# Load figures for /check and /check/batch (docs/benchmarks.md "HTTP"): starts a
# release `steward serve` on a fresh SQLite file, seeds an operations organization
# (an owner, 50 members with site roles, 100 sites, an API key), then drives it
# with wrk from a second process on loopback.
#   bench/http/run.sh [duration, default 20s] [connections, default 64]
# STEWARD_BINARY names a release server to use instead of building ./target's.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20s}
CONNECTIONS=${2:-64}
PORT=${STEWARD_LOAD_PORT:-18199}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${STEWARD_BINARY:-}" ]; then
  cargo build --release --quiet -p steward
  STEWARD_BINARY=./target/release/steward
fi
WORK=$(mktemp -d)
"$STEWARD_BINARY" serve --bind 127.0.0.1:$PORT --database-url "sqlite://$WORK/steward.db" \
  >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
export STEWARD_URL="http://127.0.0.1:$PORT" WORK
python3 bench/http/seed.py >"$WORK/env"
# shellcheck disable=SC1091
source "$WORK/env"
export STEWARD_ORG STEWARD_KEY STEWARD_USER STEWARD_OBJECT STEWARD_BATCH_BODY
echo "== POST /check, $CONNECTIONS connections, $DURATION"
RUST_LOG=warn wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/http/check.lua "$STEWARD_URL" | tail -n 20
echo "== POST /check/batch (100 checks), $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/http/batch.lua "$STEWARD_URL" | tail -n 20
