#!/usr/bin/env bash
# The clients stay in sync with the server: start `steward serve` on port 0, fetch
# its /api/v1/openapi.json, validate it, regenerate the TypeScript and Python
# clients from it (failing if the generator skips any operation, or if what it
# writes differs from what is committed), then drive each client against the
# live server. .ci/run calls it; `clients/check.sh --write` updates the
# committed description and generated code instead of failing on a difference.
set -euo pipefail
cd "$(dirname "$0")"
CLIENTS=$(pwd)
ROOT=$(cd .. && pwd)
WRITE=${1:-}
BINARY=${STEWARD_BINARY:-$ROOT/target/debug/steward}
[ -x "$BINARY" ] || { echo "build Steward first: $BINARY is missing" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "-- starting steward serve on port 0"
"$BINARY" serve --bind 127.0.0.1:0 --signup on --policy operations \
  --database-url "sqlite://$work/steward.db" >"$work/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's#.*running at \(http://[^ /]*\)/.*#\1#p' "$work/serve.log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "steward did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
export STEWARD_URL=$url
# Without a relay mails go to this log: the tests read the link that proves
# a new owner's address there (docs/accounts.md).
export STEWARD_LOG="$work/serve.log"
echo "   $url"

curl -fsS "$url/api/v1/openapi.json" | python3 -m json.tool --indent 2 >"$work/openapi.json"

echo "-- Python tools (pinned in python/requirements.txt)"
venv=${STEWARD_CLIENTS_VENV:-$ROOT/target/clients-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r python/requirements.txt
export PATH="$venv/bin:$PATH"

echo "-- validating the description"
openapi-spec-validator "$work/openapi.json"

echo "-- generating the Python client"
( cd "$work" && openapi-python-client generate --path openapi.json \
    --config "$CLIENTS/python/generator.yaml" --meta none --output-path python-gen ) \
  >"$work/python-gen.log" 2>&1 || { cat "$work/python-gen.log" >&2; exit 1; }
rm -rf "$work/python-gen/.ruff_cache"
if grep -E "will not be generated|Unable to|WARNING" "$work/python-gen.log"; then
  echo "openapi-python-client skipped part of the description (above)" >&2; exit 1
fi
# One module per operation: none skipped, whatever the generator says.
operations=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["paths"].values()))' "$work/openapi.json")
modules=$(find "$work/python-gen/api" -name '*.py' ! -name '__init__.py' | wc -l)
[ "$operations" = "$modules" ] || {
  echo "the description has $operations operations, the Python client $modules" >&2; exit 1; }
echo "   $modules operations"

echo "-- generating the TypeScript types"
( cd typescript && npm ci --no-audit --no-fund --silent \
    && npx --no-install openapi-typescript "$work/openapi.json" -o "$work/schema.d.ts" ) \
  >"$work/ts-gen.log" 2>&1 || { cat "$work/ts-gen.log" >&2; exit 1; }

differs=0
compare() { # what was generated, what is committed
  if ! diff -ru "$2" "$1" >"$work/diff" 2>&1; then
    if [ "$WRITE" = "--write" ]; then
      rm -rf "$2"; cp -r "$1" "$2"; echo "   wrote $2"
    else
      head -n 40 "$work/diff" >&2
      echo "$2 differs from what the server's description generates: run clients/check.sh --write and commit" >&2
      differs=1
    fi
  fi
}
compare "$work/openapi.json" openapi.json
compare "$work/python-gen" python/steward_client
compare "$work/schema.d.ts" typescript/src/schema.d.ts
[ "$differs" = 0 ] || exit 1

echo "-- TypeScript client against the live server"
( cd typescript && npx --no-install tsc -p . && node --test dist/test/ )

echo "-- Python client against the live server"
( cd python && PYTHONPATH=. pytest -q tests )
echo "clients in sync and working"
