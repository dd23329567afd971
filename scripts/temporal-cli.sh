#!/usr/bin/env bash
# Prints the path of a Temporal CLI binary (the dev server), providing one if needed.
# Order: $TEMPORAL_CLI_PATH, `temporal` on PATH, a cache keyed by version, a build from the
# Go module proxy into that cache. Idempotent; a cached run only checks the file.
set -euo pipefail

version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
cache="${INVITE_LITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/invite-lite}/temporal-cli/$version"

log() { echo "temporal-cli: $*" >&2; }

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"; exit 1; }
  echo "$TEMPORAL_CLI_PATH"; exit 0
fi
if [ -z "${TEMPORAL_CLI_IGNORE_PATH:-}" ] && found=$(command -v temporal 2>/dev/null); then
  echo "$found"; exit 0
fi
if [ -x "$cache/temporal" ]; then
  echo "$cache/temporal"; exit 0
fi

command -v go >/dev/null || { log "no Temporal CLI found and no Go toolchain to build one: install Go >= 1.25 or set TEMPORAL_CLI_PATH"; exit 1; }
log "building the Temporal CLI $version from the Go module proxy into $cache (a few minutes, once)"
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! CGO_ENABLED=0 GOBIN="$tmp" go install "github.com/temporalio/cli/cmd/temporal@$version" >"$tmp.log" 2>&1; then
  log "go install github.com/temporalio/cli/cmd/temporal@$version failed:"
  tail -n 20 "$tmp.log" >&2
  rm -f "$tmp.log"
  exit 1
fi
rm -f "$tmp.log"
mv "$tmp/temporal" "$cache/temporal"
log "built $cache/temporal"
echo "$cache/temporal"
