#!/usr/bin/env bash
# Builds Steward as a static (musl) binary, the one Containerfile puts in its
# empty image, and tests the binary itself, no container engine needed
# (docs/deployment.md#a-static-binary-and-a-container-image):
#   1. `ldd` says it is not a dynamic executable;
#   2. `serve` starts on a new SQLite file (and on PostgreSQL too when
#      STEWARD_TEST_POSTGRES_URL is set), `steward health --ready` says ready;
#   3. the walk of deploy/walk.sh: over HTTP sign up, verify, log in, create a
#      site, make an API key and check with it; `steward check` agrees.
#
#   deploy/check-static.sh              # build, then test
#   deploy/check-static.sh path/to/bin  # test a binary built already
#
# Needs: rustup's x86_64-unknown-linux-musl target, musl-tools (musl-gcc), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-musl
if [ $# -ge 1 ]; then
  bin=$1
else
  command -v musl-gcc >/dev/null || { echo "musl-gcc is missing: apt-get install musl-tools" >&2; exit 1; }
  rustup target list --installed | grep -qx "$target" \
    || { echo "the $target target is missing: rustup target add $target" >&2; exit 1; }
  cargo build --release --locked -p steward --target "$target"
  bin=target/$target/release/steward
fi

echo "== $bin"
ls -l "$bin"
file "$bin" || true
out=$(ldd "$bin" 2>&1 || true)
echo "ldd: $out"
case "$out" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "FAIL: $bin is dynamically linked" >&2; exit 1 ;;
esac

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; echo "-- server log:" >&2; tail -n 30 "$log" >&2; exit 1; }
server_log() { cat "$log"; }
steward_check() { "$bin" check --database-url "$db" "$@"; }
# shellcheck source=deploy/walk.sh
. deploy/walk.sh

# smoke DATABASE_URL NAME: one server on that database, the whole walk.
smoke() {
  db=$1
  local name=$2
  local port; port=$(free_port)
  log=$work/$name.log
  echo "== serve on $name (http://127.0.0.1:$port)"
  STEWARD_DATABASE_URL=$db "$bin" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    STEWARD_BIND=127.0.0.1:$port "$bin" health --ready >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || fail "serve exited"
    sleep 0.1
  done
  STEWARD_BIND=127.0.0.1:$port "$bin" health --ready || fail "not ready after 10 s"
  walk "http://127.0.0.1:$port"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

smoke "sqlite://$work/steward.db" sqlite
if [ -n "${STEWARD_TEST_POSTGRES_URL:-}" ]; then
  pgdb=steward_static_$$
  psql "$STEWARD_TEST_POSTGRES_URL" -qc "CREATE DATABASE $pgdb" >/dev/null
  pgurl="${STEWARD_TEST_POSTGRES_URL%/*}/$pgdb"
  smoke "$pgurl" postgres || { psql "$STEWARD_TEST_POSTGRES_URL" -qc "DROP DATABASE $pgdb WITH (FORCE)" >/dev/null; exit 1; }
  psql "$STEWARD_TEST_POSTGRES_URL" -qc "DROP DATABASE $pgdb WITH (FORCE)" >/dev/null
fi
echo "== the static binary passes"
