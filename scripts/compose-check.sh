#!/usr/bin/env bash
# Prints the path of tools/compose-check (docker-compose.yml's validator, run by `npm test`), building
# it from the Go module proxy when absent. The cache is keyed by the compose-go version that go.mod
# names and by a digest of the tool's own source, so a changed rule is rebuilt. Idempotent; a cached
# run only checks the file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../tools/compose-check"

log() { echo "compose-check: $*" >&2; }

version=$(sed -n 's|^require github.com/compose-spec/compose-go/v2 \(v[^[:space:]]*\)$|\1|p' "$src/go.mod")
[ -n "$version" ] || { log "no 'require github.com/compose-spec/compose-go/v2 vX.Y.Z' line in $src/go.mod"; exit 1; }
digest=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
cache="${INVITE_LITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/invite-lite}/compose-check/$version-$digest"

if [ -x "$cache/compose-check" ]; then
  echo "$cache/compose-check"; exit 0
fi

command -v go >/dev/null || { log "no Go toolchain to build tools/compose-check: install Go >= 1.25"; exit 1; }
log "building tools/compose-check (compose-go $version) from the Go module proxy into $cache (once)"
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
if ! (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$tmp/compose-check" .) >"$tmp.log" 2>&1; then
  log "go build in tools/compose-check failed:"
  tail -n 20 "$tmp.log" >&2
  exit 1
fi
mv "$tmp/compose-check" "$cache/compose-check"
log "built $cache/compose-check"
echo "$cache/compose-check"
