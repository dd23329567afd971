#!/bin/sh
# The temporal-namespace job of docker-compose.yml (admin-tools image): waits until the Temporal server
# at TEMPORAL_ADDRESS is serving, then creates TEMPORAL_NAMESPACE. A namespace that already exists
# (an earlier start, or created by hand with other settings) is success and is left unchanged.
set -eu

address="${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is required}"
namespace="${TEMPORAL_NAMESPACE:-default}"
# How long closed onboardings stay readable in Temporal; change later with
# `temporal operator namespace update --retention`.
retention="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
attempts="${TEMPORAL_WAIT_ATTEMPTS:-90}"
pause="${TEMPORAL_WAIT_SECONDS:-2}"

tried=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  tried=$((tried + 1))
  if [ "$tried" -ge "$attempts" ]; then
    echo "temporal-namespace: the Temporal server at $address is not serving after $tried attempts" >&2
    temporal operator cluster health --address "$address" >&2 || true
    exit 1
  fi
  sleep "$pause"
done

if out=$(temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention" 2>&1); then
  echo "temporal-namespace: created $namespace (retention $retention)"
  exit 0
fi
case "$out" in
  *"already exists"* | *"AlreadyExists"* | *"already registered"*)
    echo "temporal-namespace: $namespace already exists"
    exit 0
    ;;
esac
echo "temporal-namespace: could not create $namespace: $out" >&2
exit 1
