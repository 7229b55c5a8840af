#!/usr/bin/env bash
# Server CPU per HTTP check (docs/benchmarks.md "Server CPU per HTTP check"):
# seeds a release `steward serve` on a fresh SQLite file (bench/http/seed.py),
# restarts it on that file, sends `POST /check` with wrk for a while and prints
# the server's own CPU time (utime + stime from /proc/PID/stat) divided by the
# checks answered. Wall-clock rates move with the machine's load; CPU
# per request moves much less, and instruction counts (STEWARD_CALLGRIND=1) not
# at all.
#   bench/http/cpu.sh [duration, default 10s] [connections, default 16]
# Environment:
#   STEWARD_BINARY    the server to measure (default: cargo build --release, ./target)
#   STEWARD_CALLGRIND=1  run the server under valgrind's callgrind instead and print
#                     user-space instructions per check (slow: a few thousand checks)
#   STEWARD_CALLGRIND_OUT=FILE  keep callgrind's counts in FILE (for callgrind_annotate)
#   STEWARD_PERF=FILE also record a perf profile (cpu-clock, 499 Hz, DWARF call
#                     graphs) for the whole run into FILE (perf.data)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10s}
CONNECTIONS=${2:-16}
PORT=${STEWARD_LOAD_PORT:-18198}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
if [ -z "${STEWARD_BINARY:-}" ]; then
  cargo build --release --quiet -p steward
  STEWARD_BINARY=./target/release/steward
fi
WORK=$(mktemp -d)
SERVER=
stop() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; fi; SERVER=; }
trap 'stop; rm -rf "$WORK"' EXIT
start() {
  # The default log level (info), as deployed: the request span is part of the cost.
  "$@" serve --bind 127.0.0.1:$PORT --database-url "sqlite://$WORK/steward.db" \
    >>"$WORK/serve.log" 2>&1 &
  SERVER=$!
  # Ready, not only live: until its organizations are loaded it answers 503.
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start; see its log:" >&2; cat "$WORK/serve.log" >&2; exit 1
}
export STEWARD_URL="http://127.0.0.1:$PORT" WORK
start "$STEWARD_BINARY"
python3 bench/http/seed.py >"$WORK/env"
# shellcheck disable=SC1091
source "$WORK/env"
export STEWARD_ORG STEWARD_KEY STEWARD_USER STEWARD_OBJECT
# Restarted, so the seeding's work (password hashes, writes) is not counted.
stop
if [ "${STEWARD_CALLGRIND:-}" = 1 ]; then
  start valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/callgrind.out" "$STEWARD_BINARY"
else
  start "$STEWARD_BINARY"
fi
# A few requests first, so connections, routes and metrics' entries exist.
wrk -t1 -c"$CONNECTIONS" -d1s -s bench/http/check.lua "$STEWARD_URL" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
system_ticks() { awk '{print $15}' "/proc/$SERVER/stat"; }
PERF=
if [ -n "${STEWARD_PERF:-}" ]; then
  perf record -q -e cpu-clock -F 499 -g --call-graph dwarf -p "$SERVER" -o "$STEWARD_PERF" 2>/dev/null &
  PERF=$!
  sleep 0.5
fi
if [ "${STEWARD_CALLGRIND:-}" = 1 ]; then callgrind_control -i on "$SERVER" >/dev/null 2>&1; fi
BEFORE=$(ticks)
SYSTEM_BEFORE=$(system_ticks)
OUT=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/http/check.lua "$STEWARD_URL")
AFTER=$(ticks)
SYSTEM_AFTER=$(system_ticks)
if [ -n "$PERF" ]; then kill -INT "$PERF"; wait "$PERF" || true; fi
echo "$OUT" | grep -E "requests in|RESULT|Non-2xx|errors"
ANSWERED=$(echo "$OUT" | awk '/requests in/ {print $1}')
HZ=$(getconf CLK_TCK)
awk -v t=$((AFTER - BEFORE)) -v k=$((SYSTEM_AFTER - SYSTEM_BEFORE)) -v hz="$HZ" -v n="$ANSWERED" -v avg="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  printf "server CPU: %.2f s for %d checks = %.2f us per check, of it %.2f us in the kernel (load average %s)\n", t / hz, n, t / hz / n * 1e6, k / hz / n * 1e6, avg }'
if [ "${STEWARD_CALLGRIND:-}" = 1 ]; then
  callgrind_control -i off "$SERVER" >/dev/null 2>&1
  # Valgrind writes the counts when the server exits.
  stop
  IR=$(cat "$WORK"/callgrind.out* | awk '/^totals:/ {s += $2} END {print s}')
  if [ -n "${STEWARD_CALLGRIND_OUT:-}" ]; then cp "$WORK/callgrind.out" "$STEWARD_CALLGRIND_OUT"; fi
  awk -v ir="$IR" -v n="$ANSWERED" 'BEGIN { printf "instructions: %d for %d checks = %.0f per check\n", ir, n, ir / n }'
fi
