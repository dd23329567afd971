#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium (the approval page's browser tests drive it
# through playwright-core). Idempotent: a machine that has it only checks the file. Installs with
# apt-get, so it needs root (or sudo) the first time.
set -euo pipefail

log() { echo "chromium: $*" >&2; }

[ -x /usr/bin/chromium ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { log "/usr/bin/chromium is missing and installing it needs root: apt-get install chromium"; exit 1; }
  as_root=(sudo)
fi
log "installing Debian's chromium package (once)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
[ -x /usr/bin/chromium ] || { log "apt-get installed chromium but /usr/bin/chromium is not there"; exit 1; }
log "installed $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
