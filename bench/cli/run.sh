#!/usr/bin/env bash
# `steward check` on an organization of N members + N objects (default 1,000,000),
# timed with hyperfine: docs/benchmarks.md#the-cli-check-at-1000000--1000000.
#
#   bench/cli/run.sh DATABASE_URL STEWARD_BINARY [OTHER_BINARY...]
#
# A database without a file /tmp/steward-cli-scale.<db>.org beside it is made
# first: `steward migrate`, `steward orgs create`, then the scale bench's rows
# (crates/server/benches/scale.rs: members u0000001.. with its roles, top-level
# sites site0000001.., every odd one owned by the owner) inserted directly with
# the sqlite3 or psql shell, which is minutes faster than building the bench.
# STEWARD_CLI_N sets N; a PostgreSQL database named in the URL is created.
set -euo pipefail
url=$1
shift
first=$1
n=${STEWARD_CLI_N:-1000000}
tag=$(echo "$url" | sed 's/[^A-Za-z0-9]/_/g')
org_file=/tmp/steward-cli-scale.$tag.org

sql() {
    case "$url" in
        sqlite://*) sqlite3 "${url#sqlite://}" ;;
        postgres://*) psql -q -v ON_ERROR_STOP=1 "$url" ;;
    esac
}

if [ ! -f "$org_file" ]; then
    case "$url" in
        postgres://*)
            db=${url##*/}
            admin=${url%/*}/postgres
            psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
            ;;
        sqlite://*) rm -f "${url#sqlite://}" ;;
    esac
    STEWARD_DATABASE_URL=$url "$first" migrate >/dev/null
    out=$(STEWARD_DATABASE_URL=$url "$first" orgs create --name Scale \
        --owner-email owner@scale.test)
    org=$(echo "$out" | sed -n 's/.* with id \(.*\)\.$/\1/p')
    owner=$(echo "$out" | sed -n 's/^Owner: .* (\(.*\))$/\1/p')
    role="CASE WHEN i % 1000 = 0 THEN 'admin' WHEN i % 2 = 0 THEN 'operator' ELSE 'viewer' END"
    case "$url" in
        sqlite://*)
            numbers="WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)"
            user="printf('u%07d', i)"
            site="printf('site%07d', i)"
            ;;
        postgres://*)
            numbers="WITH n(i) AS (SELECT generate_series(1, $n))"
            user="'u' || lpad(i::text, 7, '0')"
            site="'site' || lpad(i::text, 7, '0')"
            ;;
    esac
    sql <<SQL
BEGIN;
INSERT INTO memberships (org_id, user_id, email, name, role)
  $numbers SELECT '$org', $user, $user || '@scale.test', 'User ' || i, $role FROM n;
INSERT INTO objects (org_id, id, type, name, parent_id, owner_id)
  $numbers SELECT '$org', $site, 'site', 'Site ' || i, NULL,
    CASE WHEN i % 2 = 1 THEN '$owner' END FROM n;
COMMIT;
SQL
    echo "$org $owner" >"$org_file"
fi
read -r org owner <"$org_file"
echo "organization $org (owner $owner), $n members + $n objects; $(uptime)"

# An operator asking about a site in the middle, which the owner owns.
site=$(printf 'site%07d' $((n / 2 + 1)))
question="check --org $org --user u0000002 --action site:view --object $site"
commands=()
for binary in "$@"; do
    echo "$binary: $(STEWARD_DATABASE_URL=$url "$binary" $question)"
    commands+=("STEWARD_DATABASE_URL=$url $binary $question")
done
hyperfine --warmup 1 --runs "${STEWARD_CLI_RUNS:-5}" "${commands[@]}"
