#!/usr/bin/env bash
# Makes sure what the service (`provision.sh service`) or the tests (`provision.sh test`) run is on
# this machine. Idempotent and fast once done; only package registries are used.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-test}" in
  service)
    # The embedded Temporal dev server runs only when no Temporal address is configured.
    if [ -z "${TEMPORAL_ADDRESS:-}" ]; then bash scripts/temporal-cli.sh >/dev/null; fi
    ;;
  test)
    bash scripts/temporal-cli.sh >/dev/null
    bash scripts/temporal-test-server.sh >/dev/null
    bash scripts/chromium.sh >/dev/null
    bash scripts/temporal-server.sh >/dev/null
    bash scripts/postgresql.sh >/dev/null
    bash scripts/compose-check.sh >/dev/null
    ;;
  *)
    echo "usage: scripts/provision.sh service|test" >&2
    exit 2
    ;;
esac
