#!/usr/bin/env bash
# Is /check's throughput unchanged by the event feed? (docs/benchmarks.md
# "Event feed and webhooks"): a release `steward serve` on a fresh SQLite file,
# seeded as bench/http/run.sh does, then wrk on POST /check (bench/http/check.lua)
# with no feed client, with a trickle of RATE changes per second, with the
# trickle and CLIENTS Server-Sent Events clients that each receive every change,
# and with nothing again.
#   bench/feed/check_under_feed.sh [duration, default 20s] [clients, default 50] [rate, default 10]
# STEWARD_BINARY=path uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20s}
CLIENTS=${2:-50}
RATE=${3:-10}
CONNECTIONS=${STEWARD_LOAD_CONNECTIONS:-64}
PORT=${STEWARD_LOAD_PORT:-18197}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
BINARY=${STEWARD_BINARY:-./target/release/steward}
[ -n "${STEWARD_BINARY:-}" ] || cargo build --release --quiet -p steward
WORK=$(mktemp -d)
"$BINARY" serve --bind 127.0.0.1:$PORT --database-url "sqlite://$WORK/steward.db" \
  >"$WORK/serve.log" 2>&1 &
SERVER=$!
FEED=
trap 'kill $SERVER $FEED 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
export STEWARD_URL="http://127.0.0.1:$PORT" WORK
python3 bench/http/seed.py >"$WORK/env"
# shellcheck disable=SC1091
source "$WORK/env"
export STEWARD_ORG STEWARD_KEY STEWARD_USER STEWARD_OBJECT
# Four rounds: nothing else, the trickle of changes alone, the trickle with
# CLIENTS streams, nothing else again (the machine's drift between rounds).
round() {  # clients rate
  local clients=$1 rate=$2
  if [ "$rate" != 0 ]; then
    python3 bench/feed/feed_clients.py "$clients" "$rate" >"$WORK/feed.out" 2>&1 &
    FEED=$!
    for _ in $(seq 100); do grep -q "clients open" "$WORK/feed.out" && break; sleep 0.1; done
  fi
  echo "== POST /check, $CONNECTIONS connections, $DURATION, $clients SSE clients, $rate changes/s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/http/check.lua "$STEWARD_URL" | grep RESULT
  if [ -n "$FEED" ]; then
    kill "$FEED" 2>/dev/null || echo "the feed clients had stopped:"; wait "$FEED" 2>/dev/null || true
    FEED=
    tail -n 3 "$WORK/feed.out"
  fi
}
round 0 0
round 0 "$RATE"
round "$CLIENTS" "$RATE"
round 0 0
