#!/usr/bin/env bash
# Many organizations on one node, and the first request to a dropped one, on
# SQLite and (with STEWARD_TEST_POSTGRES_URL) PostgreSQL: the figures of
# docs/benchmarks.md#many-organizations and #a-memory-limit. Release build.
#
#   bench/orgs/run.sh [many|first|all]
#
# many:  100,000 organizations of 20 members and 20 objects: start-up, VmRSS,
#        bytes per organization, p99 of a check on a random organization; then
#        the same start-up under --memory-limit 256MiB.
# first: 200 organizations of 1,000 members and 20 objects, all dropped before
#        each of 200 first requests: p50/p99 of bring_back + one check.
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:-all}
echo "# $(date -u +%FT%TZ) $(uptime)"
if [ "$what" = many ] || [ "$what" = all ]; then
    cargo bench -p steward --bench orgs -- --orgs 100000 --members 20 --objects 20
    cargo bench -p steward --bench orgs -- --orgs 100000 --members 20 --objects 20 \
        --memory-limit 256MiB
fi
if [ "$what" = first ] || [ "$what" = all ]; then
    cargo bench -p steward --bench orgs -- --orgs 200 --members 1000 --objects 20 \
        --checks 10000 --first-requests 200
fi
echo "# $(uptime)"
