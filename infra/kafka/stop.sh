#!/usr/bin/env bash
# Stops the Kafka node that start.sh started for KAFKA_RUN_DIR (default infra/kafka/run): SIGTERM for
# a clean shutdown, SIGKILL after KAFKA_STOP_TIMEOUT seconds (default 30). Leaves data in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
run="${KAFKA_RUN_DIR:-$here/run}"
pidfile="$run/kafka.pid"
timeout="${KAFKA_STOP_TIMEOUT:-30}"

if [ ! -f "$pidfile" ]; then
  echo "kafka: no broker recorded in $run, nothing to stop"
  exit 0
fi
run="$(cd "$run" && pwd)"
pid="$(cat "$pidfile")"
# The pid may have been reused since: only signal the process that runs this run dir's config.
if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $run/server.properties"; then
  echo "kafka: broker pid $pid of $run is no longer running"
  rm -f "$pidfile"
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 $((timeout * 10))); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "kafka: broker pid $pid ignored SIGTERM for ${timeout}s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$pidfile"
echo "kafka: stopped (pid $pid)"
