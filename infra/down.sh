#!/usr/bin/env bash
# `npm run infra:down`: stops the Kafka broker if infra/up.sh started it for the same
# SANKSI_INFRA_OWNER (default "manual"); `infra/down.sh --all` stops it whoever started it.
# PostgreSQL is left running on purpose: CI steps and later sessions on this machine need it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
owner="${SANKSI_INFRA_OWNER:-manual}"
kafka_run="$root/infra/kafka/run"
pg_run="$root/infra/pg/run"

started_by="$(cat "$kafka_run/started-by" 2>/dev/null || true)"
if [ -n "$started_by" ] && { [ "$started_by" = "$owner" ] || [ "${1:-}" = "--all" ]; }; then
  KAFKA_RUN_DIR="$kafka_run" bash "$root/infra/kafka/stop.sh"
  rm -f "$kafka_run/started-by"
elif [ -n "$started_by" ]; then
  echo "kafka: started by '$started_by', not by '$owner': leaving it running (infra/down.sh --all stops it)"
else
  echo "kafka: not started by infra/up.sh: leaving it alone"
fi

if [ -f "$pg_run/started-by" ]; then
  echo "postgres: started by infra/up.sh ($(cat "$pg_run/started-by")); left running for later runs"
fi
