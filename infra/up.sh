#!/usr/bin/env bash
# `npm run infra:up`: makes sure what the tests need is up — PostgreSQL on 127.0.0.1:5432 and one
# Kafka broker on 127.0.0.1:9092 — and records what THIS invocation started, so infra/down.sh stops
# only that. The recorder is SANKSI_INFRA_OWNER (default "manual"; tools/test.mjs passes its own),
# so `npm test` run beside a broker someone started by hand leaves that broker running.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
owner="${SANKSI_INFRA_OWNER:-manual}"
kafka_run="$root/infra/kafka/run"
pg_run="$root/infra/pg/run"
mkdir -p "$kafka_run" "$pg_run"

# PostgreSQL: the distribution's cluster, started through pg_ctlcluster when it is down.
if pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "postgres: already accepting connections on 127.0.0.1:5432"
else
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$version" ]; then
    echo "postgres: not answering on 127.0.0.1:5432 and no cluster under /etc/postgresql to start" >&2
    exit 1
  fi
  echo "postgres: starting cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 300); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.1
  done
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "postgres: cluster $version/main started but does not accept connections after 30s" >&2
    exit 1
  fi
  echo "$owner $version/main $(date -u +%FT%TZ)" >"$pg_run/started-by"
fi

# Kafka: start ours only if nothing answers on 9092 yet; SASL/SCRAM tests use its listener on 9094.
if node "$root/infra/kafka/wait-ready.mjs" 127.0.0.1:9092 1 --quiet; then
  echo "kafka: already answering on 127.0.0.1:9092"
else
  KAFKA_PORT=9092 KAFKA_SASL_PORT=9094 KAFKA_RUN_DIR="$kafka_run" bash "$root/infra/kafka/start.sh"
  echo "$owner" >"$kafka_run/started-by"
fi
