#!/usr/bin/env bash
# Builds the container image's run stage from a static binary and tests the
# image with podman (docs/deployment.md#a-static-binary-and-a-container-image):
#   1. the filesystem of deploy/rootfs.sh, as the Containerfile's build stage
#      makes it, in a stage of that name, then the Containerfile's own run
#      stage (from `FROM scratch` to the end) unchanged: what is tested is the
#      shipped stage, line for line; the build stage itself needs a registry
#      (rust:1-bookworm), which this skips;
#   2. `podman run` with a volume for /data and the port published: ready,
#      as the unprivileged user, healthy by its own HEALTHCHECK;
#   3. the walk of deploy/walk.sh against it (`steward check` run inside the
#      container, on the volume's database);
#   4. `steward backup` in a second container on the same volume, and the
#      backup answers the walk's check.
#
#   deploy/check-image.sh path/to/static/steward
#
# Environment:
#   STEWARD_PODMAN_RUNTIME  an OCI runtime for podman (`--runtime`); where crun
#                           refuses a host's hybrid cgroups, /usr/sbin/runc does
#   STEWARD_PODMAN_ULIMITS=host  run with this shell's own open-file limits and
#                           4,096 processes, for hosts that forbid raising them
# Needs: podman, curl, python3; runs as root (the rootfs sets owners).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: deploy/check-image.sh path/to/static/steward}
command -v podman >/dev/null || { echo "podman is missing: apt-get install podman" >&2; exit 1; }
case "$(ldd "$bin" 2>&1 || true)" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *) echo "$bin is not static: an empty image has no libc (deploy/check-static.sh builds one)" >&2; exit 1 ;;
esac

podman=(quiet_podman)
[ -n "${STEWARD_PODMAN_RUNTIME:-}" ] && podman+=(--runtime "$STEWARD_PODMAN_RUNTIME")
# Without systemd podman cannot schedule the HEALTHCHECK's timer and says so on
# every run; the check itself runs (`podman healthcheck run`, below).
quiet_podman() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
limits=()
if [ "${STEWARD_PODMAN_ULIMITS:-}" = host ]; then
  # At or under what this shell has: a process may always lower its limits.
  limits=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit "nproc=4096:4096")
fi

work=$(mktemp -d)
tag=localhost/steward-check:$$
volume=steward-check-$$
cid=
cleanup() {
  if [ -n "$cid" ]; then "${podman[@]}" rm -f "$cid" >/dev/null 2>&1 || true; fi
  "${podman[@]}" volume rm -f "$volume" >/dev/null 2>&1 || true
  "${podman[@]}" rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the image's run stage, from $bin"
deploy/rootfs.sh "$bin" "$work/rootfs"
# A stage named `build` holding /rootfs as the real one leaves it: an archive
# keeps the owners (a plain COPY from the context would make /data root's), and
# the run stage copies from it unchanged.
tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
{
  printf 'FROM scratch AS build\nADD rootfs.tar /rootfs/\n\n'
  awk '/^FROM scratch/ {run = 1} run' Containerfile
} >"$work/Containerfile"
[ "$(grep -c -- '--from=' "$work/Containerfile")" = 1 ] && grep -q '^COPY --from=build /rootfs/ /$' "$work/Containerfile" \
  || { echo "FAIL: the Containerfile's run stage no longer copies one /rootfs/ from the build stage" >&2; exit 1; }
# The OCI format has no HEALTHCHECK: podman drops it unless asked for docker's.
"${podman[@]}" build -q --format docker -t "$tag" -f "$work/Containerfile" "$work" >/dev/null
echo "image: $("${podman[@]}" image inspect --format '{{.Size}} bytes, user {{.Config.User}}' "$tag")"

server_log() { "${podman[@]}" logs "$cid" 2>&1; }
fail() { echo "FAIL: $*" >&2; echo "-- container log:" >&2; server_log | tail -n 30 >&2; exit 1; }
steward_check() { "${podman[@]}" exec "$cid" steward check "$@"; }
# shellcheck source=deploy/walk.sh
. deploy/walk.sh

port=$(free_port)
S=http://127.0.0.1:$port
cid=$("${podman[@]}" run -d "${limits[@]}" -p "127.0.0.1:$port:8080" -v "$volume:/data" "$tag")

echo "== podman run ($S)"
for _ in $(seq 100); do
  curl -sf "$S/readyz" >/dev/null && break
  [ "$("${podman[@]}" inspect --format '{{.State.Running}}' "$cid")" = true ] || fail "the container stopped"
  sleep 0.1
done
curl -sf "$S/readyz" >/dev/null || fail "not ready after 10 s"
user=$("${podman[@]}" top "$cid" user | tail -n 1 | tr -d ' ')
[ "$user" != root ] && [ "$user" != 0 ] || fail "serve runs as root"
echo "ready, serving as user $user"
"${podman[@]}" healthcheck run "$cid" || fail "its HEALTHCHECK (steward health) fails"
echo "healthcheck: healthy"

walk "$S"

echo "== steward backup in a second container on the volume"
"${podman[@]}" run --rm "${limits[@]}" -v "$volume:/data" "$tag" backup --to /data/backup.db \
  || fail "steward backup"
R=$("${podman[@]}" run --rm "${limits[@]}" -v "$volume:/data" "$tag" check \
  --database-url sqlite:///data/backup.db --org "$ORG" --user "$OWNER" --action site:configure --object "$SITE") \
  || fail "steward check on the backup: $R"
case "$R" in allowed*) echo "the backup answers: $R" ;; *) fail "the backup said: $R" ;; esac
echo "== the image passes"
