#!/usr/bin/env bash
# Runs the Temporal dev server for the service (src/temporal/embedded-server.ts) and ends it when the
# service dies without stopping it (killed, crashed), so that no server is left behind holding the
# database and the port. INVITE_LITE_TEMPORAL_CLI names the Temporal CLI; the arguments go to it
# unchanged, and it replaces this script (same process), so the service stops it directly.
set -euo pipefail
cli="${INVITE_LITE_TEMPORAL_CLI:?INVITE_LITE_TEMPORAL_CLI must name the Temporal CLI}"
owner=$PPID
server=$$

# The parent process ID of $1; fails when the process is gone. /proc where there is one (slim
# images often lack ps), ps elsewhere (macOS).
parent_of() {
  if [ -d /proc/self ]; then
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086 # split into fields: state, ppid, …
    set -- $stat
    echo "$2"
  else
    ps -o ppid= -p "$1" | tr -d ' '
  fi
}

# The watcher: while the server's parent is still the service, all is well. When the service dies,
# the server is handed to another parent; then it is asked to stop, and killed if it does not.
(
  exec </dev/null >/dev/null 2>&1
  while :; do
    parent=$(parent_of "$server") || exit 0
    [ -n "$parent" ] || exit 0
    [ "$parent" = "$owner" ] || break
    sleep 1
  done
  kill -TERM "$server" 2>/dev/null || exit 0
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    kill -0 "$server" 2>/dev/null || exit 0
    sleep 0.5
  done
  kill -KILL "$server" 2>/dev/null || true
) &

exec "$cli" "$@"
