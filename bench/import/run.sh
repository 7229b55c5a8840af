#!/usr/bin/env bash
# The CSV import at scale (docs/benchmarks.md "Import"): a file of ROWS new people
# (default 100,000; one in ten an operator or admin, the others viewers) into a fresh
# operations organization by the release `steward import`, measured by
# /usr/bin/time -v: a dry run, the real run (every row an invitation), then the
# same file again (every row unchanged). On SQLite, and on PostgreSQL when
# STEWARD_BENCH_POSTGRES_URL is set (a database is created and dropped).
#   bench/import/run.sh [rows]
#   STEWARD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bench/import/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-100000}
cargo build --release --quiet -p steward
BIN=$PWD/target/release/steward
work=$(mktemp -d)
pg_db=""
cleanup() {
  rm -rf "$work"
  if [ -n "$pg_db" ]; then
    psql "$STEWARD_BENCH_POSTGRES_URL" -qAtc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
  fi
}
trap cleanup EXIT

python3 - "$ROWS" "$work/people.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
roles = ["viewer", "operator", "admin"]
with open(path, "w") as f:
    f.write("email,name,role\n")
    for i in range(rows):
        role = roles[0] if i % 10 else roles[1 + (i // 10) % 2]
        f.write(f"person{i:07d}@example.test,Person {i},{role}\n")
PY
echo "file: $ROWS rows, $(stat -c %s "$work/people.csv") bytes"

# One run of `steward import`: its wall time, peak memory and summary line.
measure() {
  local label=$1; shift
  /usr/bin/time -v "$BIN" import "$work/people.csv" --org "$org" "$@" \
    >"$work/out" 2>"$work/err" || true
  local wall cpu rss summary
  wall=$(grep 'Elapsed (wall clock)' "$work/err" | awk '{print $NF}')
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/err")
  rss=$(grep 'Maximum resident set size' "$work/err" | awk '{print $NF}')
  summary=$(grep -E '^(Dry run|Applied|Nothing applied)' "$work/out" || tail -n 3 "$work/err")
  printf '%-10s %-16s wall %8s  cpu %6s s  peak RSS %4d MiB  %s\n' "$backend" "$label" "$wall" "$cpu" $((rss / 1024)) "$summary"
}

run_on() {
  backend=$1
  export STEWARD_DATABASE_URL=$2 STEWARD_POLICY=operations
  "$BIN" migrate >/dev/null   # no command but migrate and serve makes the schema
  org=$("$BIN" orgs create --name Bench --owner-email owner@example.test | sed -n 's/.*with id \([^.]*\)\..*/\1/p')
  measure "dry run" --dry-run
  measure "import"
  measure "same file again"
}

run_on sqlite "sqlite://$work/steward.db"
if [ -n "${STEWARD_BENCH_POSTGRES_URL:-}" ]; then
  pg_db="steward_bench_import_$$"
  psql "$STEWARD_BENCH_POSTGRES_URL" -qAtc "CREATE DATABASE $pg_db" >/dev/null
  run_on postgres "${STEWARD_BENCH_POSTGRES_URL%/*}/$pg_db"
fi
