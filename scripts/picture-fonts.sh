#!/usr/bin/env bash
# Makes sure the fonts the README's pictures are drawn with (scripts/pictures.ts) are installed:
# Lato (Slack's typeface), Roboto (a phone's, for the approval page) and Noto Color Emoji (the
# emoji in Slack messages). Idempotent: a machine that has them only checks. Installs Debian's
# packages with apt-get, so it needs root (or sudo) the first time.
set -euo pipefail

log() { echo "picture-fonts: $*" >&2; }

fonts="$(fc-list : file 2>/dev/null || true)"
packages=()
grep -q '/lato/' <<<"$fonts" || packages+=(fonts-lato)
grep -q '/roboto/' <<<"$fonts" || packages+=(fonts-roboto)
grep -q 'NotoColorEmoji' <<<"$fonts" || packages+=(fonts-noto-color-emoji)
[ ${#packages[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { log "missing and installing them needs root: apt-get install ${packages[*]}"; exit 1; }
  as_root=(sudo)
fi
log "installing ${packages[*]} (once)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends fontconfig "${packages[@]}" >&2
