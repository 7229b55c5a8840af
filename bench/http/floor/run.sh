#!/usr/bin/env bash
# Server CPU per request of the floor (src/main.rs: Steward's check route with
# nothing behind it), measured as bench/http/cpu.sh measures Steward: wrk sends
# check.lua's request, and the server's utime + stime (/proc/PID/stat) is
# divided by the requests answered. See docs/benchmarks.md, "The transport's
# floor".
#   bench/http/floor/run.sh [mode: multi|single|percore, default multi] [duration, default 10s] [connections, default 16]
# Environment:
#   FLOOR_CALLGRIND=1  run it under valgrind's callgrind instead and print
#                      user-space instructions per request (as cpu.sh's
#                      STEWARD_CALLGRIND=1 does for Steward)
set -euo pipefail
cd "$(dirname "$0")"
MODE=${1:-multi}
DURATION=${2:-10s}
CONNECTIONS=${3:-16}
PORT=${FLOOR_PORT:-18300}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --quiet
BINARY=${CARGO_TARGET_DIR:-target}/release/steward-http-floor
WORK=$(mktemp -d)
if [ "${FLOOR_CALLGRIND:-}" = 1 ]; then
  FLOOR_MODE=$MODE FLOOR_PORT=$PORT valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$WORK/callgrind.out" "$BINARY" 2>"$WORK/valgrind.log" &
else
  FLOOR_MODE=$MODE FLOOR_PORT=$PORT "$BINARY" &
fi
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; }
trap 'stop; rm -rf "$WORK"' EXIT
URL=http://127.0.0.1:$PORT
for _ in $(seq 600); do curl -s -o /dev/null "$URL/" && break; sleep 0.05; done
# check.lua reads the question from the environment; the floor reads no key.
export STEWARD_ORG=org_floor STEWARD_KEY=stw_floor STEWARD_USER=usr_floor STEWARD_OBJECT=obj_floor
wrk -t1 -c"$CONNECTIONS" -d1s -s ../check.lua "$URL" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
system_ticks() { awk '{print $15}' "/proc/$SERVER/stat"; }
if [ "${FLOOR_CALLGRIND:-}" = 1 ]; then callgrind_control -i on "$SERVER" >/dev/null 2>&1; fi
BEFORE=$(ticks)
SYSTEM_BEFORE=$(system_ticks)
OUT=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s ../check.lua "$URL")
AFTER=$(ticks)
SYSTEM_AFTER=$(system_ticks)
echo "$OUT" | grep -E "RESULT|Non-2xx|errors"
ANSWERED=$(echo "$OUT" | awk '/requests in/ {print $1}')
HZ=$(getconf CLK_TCK)
awk -v m="$MODE" -v t=$((AFTER - BEFORE)) -v k=$((SYSTEM_AFTER - SYSTEM_BEFORE)) -v hz="$HZ" -v n="$ANSWERED" -v avg="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  printf "floor (%s): %.2f s for %d requests = %.2f us per request, of it %.2f us in the kernel (load average %s)\n", m, t / hz, n, t / hz / n * 1e6, k / hz / n * 1e6, avg }'
if [ "${FLOOR_CALLGRIND:-}" = 1 ]; then
  callgrind_control -i off "$SERVER" >/dev/null 2>&1
  # Valgrind writes the counts when the server exits.
  stop
  IR=$(cat "$WORK"/callgrind.out* | awk '/^totals:/ {s += $2} END {print s}')
  awk -v ir="$IR" -v n="$ANSWERED" 'BEGIN { printf "instructions: %d for %d requests = %.0f per request\n", ir, n, ir / n }'
fi
