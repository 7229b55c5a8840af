#!/bin/sh
# The image's whole filesystem, made from a static binary: what `Containerfile`
# copies onto its empty image, and what deploy/check-image.sh builds the same
# image from without the build stage (docs/deployment.md#a-static-binary-and-a-container-image).
#   deploy/rootfs.sh BINARY DIR
# DIR gets the stripped binary at usr/local/bin/steward, the CA bundle for
# outbound TLS (SMTP, identity providers, webhooks), an unprivileged user
# 10001 that owns /data (the database's volume), and a /tmp anyone may write.
# Runs as root (it sets owners); POSIX sh, as the build stage has no bash.
set -eu
bin=$1
dir=$2
ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -f "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }
[ -f "$ca" ] || { echo "no CA bundle at $ca (apt-get install ca-certificates)" >&2; exit 1; }
mkdir -p "$dir/usr/local/bin" "$dir/data" "$dir/tmp" "$dir/etc/steward" "$dir/etc/ssl/certs"
cp "$bin" "$dir/usr/local/bin/steward"
strip "$dir/usr/local/bin/steward"
cp "$ca" "$dir/etc/ssl/certs/ca-certificates.crt"
printf 'steward:x:10001:10001:steward:/data:/nonexistent\n' >"$dir/etc/passwd"
printf 'steward:x:10001:\n' >"$dir/etc/group"
chown 10001:10001 "$dir/data"
chmod 1777 "$dir/tmp"
