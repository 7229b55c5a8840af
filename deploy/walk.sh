# The walk a fresh Steward must pass, sourced by deploy/check-static.sh (the
# static binary) and deploy/check-image.sh (the container image built from it):
# over HTTP, sign up, verify the address (the link is in the server's log), log
# in, create a site, make an API key and check with it (allowed and refused);
# then `steward check` from the command line on the same database must agree.
#
# The sourcing script defines:
#   server_log           prints the server's log so far
#   steward_check ARGS   runs `steward check ARGS` against the server's database
#   fail MESSAGE         says what failed (with the log) and exits
# and calls `walk URL` (a server's base URL; `free_port` gives a port for it),
# which leaves ORG, OWNER (the owner's account) and SITE
# set for what the caller checks next. Needs curl and python3.

J='Content-Type: application/json'
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c 'import json,sys,functools; print(functools.reduce(lambda d,k: d[int(k) if k.isdigit() else k], sys.argv[1:], json.load(sys.stdin)))' "$@"; }

walk() {
  local S=$1
  local R VERIFY TOKEN AUTH KEY
  R=$(curl -sf "$S/api/v1/signup" -H "$J" -d '{"email":"ann@example.com","name":"Ann","password":"correct horse battery","org_name":"Northwind"}') || fail "signup"
  ORG=$(echo "$R" | json org id); OWNER=$(echo "$R" | json account id)
  VERIFY=$(server_log | grep -o 'stw_verify_[A-Za-z0-9_-]*' | head -n 1)
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

  R=$(steward_check --org "$ORG" --user "$OWNER" --action site:configure --object "$SITE") \
    || fail "steward check: $R"
  echo "steward check: $R"
  case "$R" in allowed*) ;; *) fail "steward check said: $R" ;; esac
}
