#!/usr/bin/env bash
# Prints the path of a Temporal CLI binary (the dev server, docs/design.md §14), providing one if
# needed. Order (docs/deployment.md, "Getting the Temporal CLI"): $TEMPORAL_CLI_PATH, `temporal` on
# PATH, a cache keyed by version, a copy of the pinned version that the Temporal SDK downloaded, the
# official release archive checked against the release's SHA-256 checksums, a build from the Go
# module proxy. Whatever is copied, downloaded or built is moved into the cache in one rename, so
# nothing half-written is ever there. Idempotent; a cached run only checks the file.
set -euo pipefail

version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
root="${INVITE_LITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/invite-lite}/temporal-cli"
cache="$root/$version"
download="${TEMPORAL_CLI_DOWNLOAD:-1}"
# Release assets are fetched from "$download_url/$version/" (GitHub's layout; a mirror copies it).
download_url="${TEMPORAL_CLI_DOWNLOAD_URL:-https://github.com/temporalio/cli/releases/download}"
# The checksums file comes from where the archive does: it catches a damaged download. A SHA-256 of
# the archive pinned here (from a source you trust) also catches a changed release or mirror.
pinned_sha256="${TEMPORAL_CLI_SHA256:-}"
project="$(cd "$(dirname "$0")/.." && pwd)"
ways_out="set TEMPORAL_CLI_PATH to a Temporal CLI, put \`temporal\` on PATH, allow the download (TEMPORAL_CLI_DOWNLOAD=1, with TEMPORAL_CLI_DOWNLOAD_URL=<mirror> where GitHub is out of reach) or install Go >= 1.25"

log() { echo "temporal-cli: $*" >&2; }

case "$download" in
  0 | 1) ;;
  *) log "TEMPORAL_CLI_DOWNLOAD must be 0 or 1"; exit 1 ;;
esac
if [ -n "$pinned_sha256" ] && ! [[ "$pinned_sha256" =~ ^[0-9a-fA-F]{64}$ ]]; then
  log "TEMPORAL_CLI_SHA256 must be 64 hexadecimal digits (the SHA-256 of the release archive)"
  exit 1
fi

work=
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

# A fresh folder beside the cache (the same file system) for what is made before it is published.
new_work() {
  [ -z "$work" ] || rm -rf "$work"
  mkdir -p "$root"
  work=$(mktemp -d "$root/.work.XXXXXX")
}

# Moves the executable $1 into the cache in one rename and prints where it is now. (The steps
# below run as conditions, where `set -e` does not apply: each checks what it relies on.)
publish() {
  chmod 755 "$1" && mkdir -p "$cache" && mv -f "$1" "$cache/temporal" && echo "$cache/temporal"
}

# Whether the executable $1 says it is the pinned version: `temporal version 1.5.1 (Server …, UI …)`.
is_pinned() {
  local said
  said=$("$1" --version 2>/dev/null) || return 1
  [[ "$said " == "temporal version ${version#v} "* ]]
}

# The Temporal SDK's own download (TestWorkflowEnvironment.createLocal in @temporalio/testing):
# sdk-core keeps it in the temp folder as `temporal-sdk-typescript-<SDK version>` (the SDK's default
# CLI version) or `temporal-<version>` (a version asked for), and deletes it after a day, so it is
# copied. Only a file of this user's that others cannot write, and only the pinned version.
from_sdk_download() {
  local tmp="${TMPDIR:-/tmp}" file
  for file in "$tmp"/temporal-sdk-typescript-* "$tmp/temporal-${version#v}" "$tmp/temporal-v${version#v}"; do
    [[ $file != *.downloading ]] && [ -f "$file" ] && [ ! -L "$file" ] && [ -O "$file" ] && [ -x "$file" ] || continue
    [ -z "$(find "$file" -prune \( -perm -020 -o -perm -002 \))" ] || continue
    is_pinned "$file" || continue
    new_work && cp "$file" "$work/temporal" || return 1
    log "copied the Temporal SDK's download $file ($version)"
    publish "$work/temporal"
    return 0
  done
  return 1
}

# The release archive for this platform, checked against the release's checksums before it is
# unpacked (scripts/release-download.ts). Returns 1, saying why in one line, if that fails.
from_release() {
  local os arch asset url status=0
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) log "no release archive of the Temporal CLI for $(uname -s); not downloading"; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "no release archive of the Temporal CLI for $(uname -m); not downloading"; return 1 ;;
  esac
  [ -x "$project/node_modules/.bin/tsx" ] || { log "cannot download the Temporal CLI before \`npm ci\` (no node_modules/.bin/tsx)"; return 1; }
  asset="temporal_cli_${version#v}_${os}_${arch}.tar.gz"
  new_work || return 1
  log "downloading the Temporal CLI $version for $os/$arch (once)"
  url=$("$project/node_modules/.bin/tsx" "$project/scripts/release-download.ts" "$download_url/$version" checksums.txt "$asset" "$work/$asset" $pinned_sha256 2>"$work/error") || status=$?
  case "$status" in
    0) ;;
    2) log "TEMPORAL_CLI_DOWNLOAD_URL $(head -n 1 "$work/error")"; exit 1 ;;
    *) log "download failed: $(head -n 1 "$work/error")"; return 1 ;;
  esac
  if ! tar -xzf "$work/$asset" -C "$work" temporal 2>"$work/error" || [ ! -f "$work/temporal" ] || [ -L "$work/temporal" ]; then
    log "download failed: $url is not a tar.gz archive holding \`temporal\` ($(head -n 1 "$work/error"))"
    return 1
  fi
  is_pinned "$work/temporal" || { log "download failed: the \`temporal\` in $url does not say it is version ${version#v}"; return 1; }
  log "downloaded $url (SHA-256 checked)"
  publish "$work/temporal"
}

from_go_build() {
  command -v go >/dev/null || { log "no Temporal CLI $version found or downloaded, and no Go toolchain to build one: $ways_out"; exit 1; }
  new_work
  log "building the Temporal CLI $version from the Go module proxy into $cache (a few minutes, once)"
  if ! CGO_ENABLED=0 GOBIN="$work" go install "github.com/temporalio/cli/cmd/temporal@$version" >"$work/go.log" 2>&1; then
    log "go install github.com/temporalio/cli/cmd/temporal@$version failed:"
    tail -n 20 "$work/go.log" >&2
    log "no Temporal CLI $version: $ways_out"
    exit 1
  fi
  publish "$work/temporal" && log "built $cache/temporal"
}

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
from_sdk_download && exit 0
if [ "$download" = 1 ]; then from_release && exit 0; fi
from_go_build
