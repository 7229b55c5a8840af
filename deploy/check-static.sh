#!/usr/bin/env bash
# Builds Steward as a static (musl) binary, the one Containerfile puts in its
# empty image, and tests the binary itself, no container engine needed
# (docs/deployment.md#a-static-binary-and-a-container-image):
#   1. `ldd` says it is not a dynamic executable;
#   2. `serve` starts on a new SQLite file (and on PostgreSQL too when
#      STEWARD_TEST_POSTGRES_URL is set), `steward health --ready` says ready;
#   3. over HTTP: sign up, verify the address (the link is in the log), log in,
#      create a site, make an API key, check with it (allowed and refused);
#   4. `steward check` from the command line agrees, on the same database.
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

J='Content-Type: application/json'
json() { python3 -c 'import json,sys,functools; print(functools.reduce(lambda d,k: d[int(k) if k.isdigit() else k], sys.argv[1:], json.load(sys.stdin)))' "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; echo "-- server log:" >&2; tail -n 30 "$log" >&2; exit 1; }

# smoke DATABASE_URL NAME: one server on that database, the whole walk.
smoke() {
  local db=$1 name=$2
  local port; port=$(free_port)
  local S=http://127.0.0.1:$port
  log=$work/$name.log
  echo "== serve on $name ($S)"
  STEWARD_DATABASE_URL=$db "$bin" serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    STEWARD_BIND=127.0.0.1:$port "$bin" health --ready >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || fail "serve exited"
    sleep 0.1
  done
  STEWARD_BIND=127.0.0.1:$port "$bin" health --ready || fail "not ready after 10 s"

  local R ORG VERIFY TOKEN AUTH SITE KEY OWNER
  R=$(curl -sf "$S/api/v1/signup" -H "$J" -d '{"email":"ann@example.com","name":"Ann","password":"correct horse battery","org_name":"Northwind"}') || fail "signup"
  ORG=$(echo "$R" | json org id); OWNER=$(echo "$R" | json account id)
  VERIFY=$(grep -o 'stw_verify_[A-Za-z0-9_-]*' "$log" | head -n 1)
  [ -n "$VERIFY" ] || fail "no verification link in the log"
  curl -sf "$S/api/v1/auth/verify-email/$VERIFY" -H "$J" -d '{"password":"correct horse battery"}' >/dev/null || fail "verify-email"
  R=$(curl -sf "$S/api/v1/auth/login" -H "$J" -d '{"email":"ann@example.com","password":"correct horse battery"}') || fail "login"
  TOKEN=$(echo "$R" | json access_token); AUTH="Authorization: Bearer $TOKEN"
  R=$(curl -sf "$S/api/v1/orgs/$ORG/objects" -H "$AUTH" -H "$J" -d '{"type":"site","name":"Plant 1"}') || fail "create a site"
  SITE=$(echo "$R" | json id)
  R=$(curl -sf "$S/api/v1/orgs/$ORG/api-keys" -H "$AUTH" -H "$J" -d '{"name":"backend","permissions":["check"]}') || fail "an API key"
  KEY=$(echo "$R" | json key)
  R=$(curl -sf "$S/api/v1/orgs/$ORG/check" -H "Authorization: Bearer $KEY" -H "$J" \
    -d '{"user_id":"'"$OWNER"'","action":"site:configure","object_id":"'"$SITE"'"}') || fail "check"
  [ "$(echo "$R" | json allowed)" = True ] || fail "the owner may not configure their site: $R"
  R=$(curl -sf "$S/api/v1/orgs/$ORG/check" -H "Authorization: Bearer $KEY" -H "$J" \
    -d '{"user_id":"usr_nobody","action":"site:view","object_id":"'"$SITE"'"}') || fail "check"
  [ "$(echo "$R" | json allowed)" = False ] || fail "a stranger may view the site: $R"
  echo "signup, verify, login, site, API key, checks: ok"

  R=$("$bin" check --database-url "$db" --org "$ORG" --user "$OWNER" --action site:configure --object "$SITE") \
    || fail "steward check: $R"
  echo "steward check: $R"
  case "$R" in allowed*) ;; *) fail "steward check said: $R" ;; esac

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
