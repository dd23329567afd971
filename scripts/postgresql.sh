#!/usr/bin/env bash
# PostgreSQL for the tests that run the production Temporal server on it (docs/testing.md).
#   scripts/postgresql.sh              makes sure the server programs are on this machine (Debian's
#                                      postgresql package, installed with apt-get as root); prints their directory
#   scripts/postgresql.sh start        a throwaway cluster in a new temporary directory, listening on
#                                      127.0.0.1 only at a free port, trusted superuser `temporal`;
#                                      prints CLUSTER_DIR=, PGHOST=, PGPORT=, PGUSER= lines
#   scripts/postgresql.sh stop DIR     stops that cluster and removes DIR (the CLUSTER_DIR line)
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user, which owns DIR.
set -euo pipefail

log() { echo "postgresql: $*" >&2; }

bin="${POSTGRESQL_BIN:-/usr/lib/postgresql/15/bin}"

ensure() {
  [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "no PostgreSQL server in $bin: install Debian's postgresql package (apt-get install -y postgresql) as root, or set POSTGRESQL_BIN"
    exit 1
  fi
  log "installing Debian's postgresql package (once)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/tmp/postgresql-apt.$$.log 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/tmp/postgresql-apt.$$.log 2>&1 || {
      log "apt-get install -y postgresql failed:"
      tail -n 20 /tmp/postgresql-apt.$$.log >&2
      rm -f /tmp/postgresql-apt.$$.log
      exit 1
    }
  fi
  rm -f /tmp/postgresql-apt.$$.log
  [ -x "$bin/postgres" ] || { log "the postgresql package is installed but $bin/postgres is missing (another major version?): set POSTGRESQL_BIN"; exit 1; }
}

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  ensure
  local dir port attempt password
  dir=$(mktemp -d "${TMPDIR:-/tmp}/invite-lite-postgresql.XXXXXX")
  chmod 700 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  # A password made for this cluster: other local users of the machine cannot connect.
  password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077 && printf '%s\n' "$password" >"$dir/password")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/password"
  if ! as_owner "$bin/initdb" -D "$dir/data" -U temporal --auth=scram-sha-256 --pwfile="$dir/password" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    log "initdb failed:"
    tail -n 20 "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 12000))
    port_free "$port" || continue
    # A throwaway cluster: durability settings off, loopback only, its socket in its own directory.
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      printf 'CLUSTER_DIR=%s\nPGHOST=127.0.0.1\nPGPORT=%s\nPGUSER=temporal\nPGPASSWORD=%s\n' "$dir" "$port" "$password"
      return 0
    fi
  done
  log "the cluster in $dir did not start:"
  tail -n 20 "$dir/postgres.log" >&2 || true
  rm -rf "$dir"
  exit 1
}

stop() {
  local dir="${1:?usage: scripts/postgresql.sh stop DIR}"
  case "$dir" in */invite-lite-postgresql.*) ;; *) log "not a cluster of this script: $dir"; exit 2 ;; esac
  if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}

case "${1:-ensure}" in
  ensure) ensure; echo "$bin" ;;
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: scripts/postgresql.sh [ensure|start|stop DIR]" >&2; exit 2 ;;
esac
