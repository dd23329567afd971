#!/usr/bin/env bash
# Prints a directory holding the production Temporal server (`temporal-server`), its SQL schema tool
# (`temporal-sql-tool`) and the server's PostgreSQL schema (`schema/postgresql/v12/...`), building
# them from the Go module proxy into a cache keyed by version when absent. The version is the one
# place that names it: the `temporalio/server:` image tag in docker-compose.yml, so the compose
# deployment and the tests run the same server. Idempotent; a cached run only checks the files.
#   scripts/temporal-server.sh            build if needed, print the directory
#   scripts/temporal-server.sh --version  print the version read from the compose file
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
compose="${TEMPORAL_SERVER_COMPOSE_FILE:-$here/../docker-compose.yml}"

log() { echo "temporal-server: $*" >&2; }

# The server module's go.mod names a newer Go than this machine's; the go command fetches this
# toolchain from the Go module proxy like any module.
export GOTOOLCHAIN=go1.27.3

[ -r "$compose" ] || { log "cannot read $compose"; exit 1; }
tag=$(grep -Eo 'temporalio/server:[^[:space:]"'"'"']+' "$compose" | head -n 1 | cut -d: -f2 || true)
if ! [[ "$tag" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "no 'image: temporalio/server:X.Y.Z' line in $compose (found '${tag}'); it names the server version"
  exit 1
fi
version="v${tag#v}"
if [ "${1:-}" = "--version" ]; then echo "$version"; exit 0; fi

root="${INVITE_LITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/invite-lite}/temporal-server"
cache="$root/$version"
schema_dirs=(schema/postgresql/v12/temporal/versioned schema/postgresql/v12/visibility/versioned)

complete() {
  [ -x "$1/temporal-server" ] && [ -x "$1/temporal-sql-tool" ] || return 1
  for d in "${schema_dirs[@]}"; do [ -d "$1/$d" ] || return 1; done
}

if complete "$cache"; then echo "$cache"; exit 0; fi

command -v go >/dev/null || { log "no Go toolchain to build the Temporal server $version: install Go >= 1.25"; exit 1; }
log "building the Temporal server $version from the Go module proxy into $cache (several minutes, once)"
mkdir -p "$root"
tmp=$(mktemp -d "$root/.build.XXXXXX")
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
module="go.temporal.io/server@$version"
if ! CGO_ENABLED=0 GOBIN="$tmp/bin" go install \
  "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version" >"$tmp.log" 2>&1; then
  log "go install of $module (cmd/server, cmd/tools/sql) failed:"
  tail -n 20 "$tmp.log" >&2
  exit 1
fi
mv "$tmp/bin/server" "$tmp/temporal-server"
mv "$tmp/bin/sql" "$tmp/temporal-sql-tool"
rmdir "$tmp/bin"

# The schema ships in the module zip, which `go install` has just put in the module cache.
dir=$(go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -n "$dir" ] && [ -d "$dir" ] || { log "go mod download -json $module gave no module directory"; exit 1; }
for d in "${schema_dirs[@]}"; do
  [ -d "$dir/$d" ] || { log "$module has no $d"; exit 1; }
  mkdir -p "$tmp/$d"
  cp -R "$dir/$d/." "$tmp/$d/"
done
chmod -R u+w,go+rX "$tmp"

# Publish the finished directory in one rename; a concurrent build that finished first wins.
if ! mv -T "$tmp" "$cache" 2>/dev/null; then
  complete "$cache" || { log "could not publish $cache"; exit 1; }
fi
log "built $cache"
echo "$cache"
