#!/usr/bin/env bash
# Role changes per second through the service (docs/benchmarks.md "Group commit"):
# one client, one change after the other, then CLIENTS clients at once (default
# 32), each on its own organization of 20 members, on SQLite and, when
# STEWARD_TEST_POSTGRES_URL is set, on PostgreSQL (a database created and dropped
# per run). RUNS runs (default 3), each printing its figures; the uptime before
# each run is the machine's load.
#   bench/writes/run.sh [runs] [clients]
#   STEWARD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bench/writes/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
CLIENTS=${2:-32}
cargo bench -p steward --bench writes --no-run --quiet
for run in $(seq 1 "$RUNS"); do
  echo "run $run: $(uptime)"
  cargo bench -p steward --bench writes --quiet -- --clients "$CLIENTS"
done
