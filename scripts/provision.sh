#!/usr/bin/env bash
# Makes sure everything the service and the tests run is on this machine. Idempotent and fast
# once done; only package registries are used.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/temporal-cli.sh >/dev/null
