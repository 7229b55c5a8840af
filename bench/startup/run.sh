#!/usr/bin/env bash
# Start-up of `steward serve` on an existing database: seconds from the process's
# start to /readyz answering 200 (every organization loaded), the CPU seconds the
# server had used by then (user + system, all threads: on a loaded machine far
# steadier than the wall time), and its VmRSS (of it, anonymous memory and the
# pages of mapped files: the binary, SQLite's maps) and peak VmHWM then.
# docs/benchmarks.md#start-up-at-1000000--1000000 has the figures.
#
#   bench/startup/run.sh STEWARD_BINARY DATABASE_URL [RUNS]
#
# Make the database with the scale bench, which keeps it with --database:
#   cargo bench -p steward --bench scale -- --backend sqlite \
#     --database sqlite:///tmp/scale.db --startup-only
set -euo pipefail
binary=$1
url=$2
runs=${3:-3}
port=${STEWARD_STARTUP_PORT:-18480}

# A pipe nobody writes to, to wait on without starting a process.
pause=$(mktemp -u)
mkfifo "$pause"
exec 4<>"$pause"
rm -f "$pause"

for run in $(seq 1 "$runs"); do
    start=$EPOCHREALTIME
    STEWARD_DATABASE_URL=$url "$binary" serve --bind "127.0.0.1:$port" \
        >/tmp/steward-startup.log 2>&1 &
    pid=$!
    # Polled every 10 ms for at most 120 s from this shell, with no process
    # started per poll: a `curl` and a `sleep` every 10 ms took about 0.5 s of
    # CPU from a 2-second start on 2 cores, and a Python poller 0.2 s to start
    # (docs/benchmarks.md#start-up-measured-without-a-process-per-poll-issue-20-stop-30).
    # STEWARD_STARTUP_POLL=curl polls as before, to compare.
    ready=""
    if [ "${STEWARD_STARTUP_POLL:-}" = curl ]; then
        for _ in $(seq 1 12000); do
            if curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; then
                ready=$(date +%s.%N)
                break
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
    else
        for _ in $(seq 1 12000); do
            status=""
            if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
                printf 'GET /readyz HTTP/1.0\r\n\r\n' >&3
                read -r _ status _ <&3 || true
                exec 3<&-
            fi 2>/dev/null
            if [ "$status" = 200 ]; then
                ready=$EPOCHREALTIME
                break
            fi
            kill -0 "$pid" 2>/dev/null || break
            # 10 ms on a pipe nobody writes to: `sleep` would be a process.
            read -r -t 0.01 -u 4 _ || true
        done
    fi
    if [ -z "$ready" ] && ! kill -0 "$pid" 2>/dev/null; then
        cat /tmp/steward-startup.log >&2
        exit 1
    fi
    ticks=$(getconf CLK_TCK)
    cpu=$(awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat")
    rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
    anon=$(awk '/^RssAnon/ {print int($2 / 1024)}' "/proc/$pid/status")
    file=$(awk '/^RssFile/ {print int($2 / 1024)}' "/proc/$pid/status")
    # STEWARD_STARTUP_SMAPS=FILE keeps the mappings' resident sizes of the last run.
    if [ -n "${STEWARD_STARTUP_SMAPS:-}" ]; then
        cp "/proc/$pid/smaps" "$STEWARD_STARTUP_SMAPS"
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    if [ -z "$ready" ]; then
        echo "run $run: not ready after 120 s" >&2
        exit 1
    fi
    seconds=$(echo "$ready - $start" | bc -l)
    printf 'run %d: ready in %.2f s (CPU %s s); VmRSS %d MiB (anonymous %d, file %d), VmHWM %d MiB\n' \
        "$run" "$seconds" "$cpu" "$rss" "$anon" "$file" "$hwm"
done
