#!/usr/bin/env bash
# Starts one Kafka node (broker + KRaft controller) in the background and waits until its API answers.
#   KAFKA_PORT             client port                 (default 9092)
#   KAFKA_CONTROLLER_PORT  controller port             (default KAFKA_PORT + 1)
#   KAFKA_RUN_DIR          config, data, log, pid file (default infra/kafka/run)
#   KAFKA_HEAP_OPTS        JVM heap                    (default -Xmx512m -Xms256m)
#   KAFKA_READY_TIMEOUT    seconds to wait for the API (default 90)
#   KAFKA_SASL_PORT        if set, a second client listener SASL_PLAINTEXT with SCRAM-SHA-256/512
#                          (infra/up.sh: 9094); PLAINTEXT on KAFKA_PORT stays as it is
#   KAFKA_SCRAM_USER       its SCRAM user (default sanksi)
#   KAFKA_SCRAM_PASSWORD   its password (default sanksi-local-scram: a local test broker only)
#   KAFKA_SSL_PORT         if set, a client listener SSL (TLS) with a certificate for 127.0.0.1 signed
#                          by a CA made at first start: <run>/tls/ca.pem is what clients trust
# Idempotent: if the broker of this run directory is alive it only waits for readiness. Storage is
# formatted on first use and kept, so topics and offsets survive a stop/start (the restart test
# relies on it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
run="${KAFKA_RUN_DIR:-$here/run}"
timeout="${KAFKA_READY_TIMEOUT:-90}"
pidfile="$run/kafka.pid"
log="$run/kafka.log"
sasl_port="${KAFKA_SASL_PORT:-}"
ssl_port="${KAFKA_SSL_PORT:-}"
scram_user="${KAFKA_SCRAM_USER:-sanksi}"
scram_password="${KAFKA_SCRAM_PASSWORD:-sanksi-local-scram}"

"$here/fetch.sh"
mkdir -p "$run"
run="$(cd "$run" && pwd)"

is_ours() { [ -f "$pidfile" ] && tr '\0' ' ' <"/proc/$(cat "$pidfile")/cmdline" 2>/dev/null | grep -q "kafka.Kafka $run/server.properties"; }

cp="$here/lib/*"
scram_marker="$run/data/.scram-$scram_user"
# Storage formatted before the SASL listener existed has no SCRAM user yet: add it once, over PLAINTEXT.
ensure_scram_user() {
  if [ -z "$sasl_port" ] || [ -f "$scram_marker" ]; then return 0; fi
  if ! java -cp "$cp" "-Dlog4j2.configurationFile=$here/log4j2.properties" "$here/AddScramUser.java" \
    "127.0.0.1:$port" "$scram_user" "$scram_password" >>"$run/format.log" 2>&1; then
    echo "kafka: adding SCRAM user $scram_user failed:" >&2
    tail -n 20 "$run/format.log" >&2
    exit 1
  fi
  touch "$scram_marker"
}

if is_ours; then
  node "$here/wait-ready.mjs" "127.0.0.1:$port" "$timeout"
  ensure_scram_user
  exit 0
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "kafka: port 127.0.0.1:$port is already taken by a process this script did not start" >&2
  exit 1
fi

# A private CA and a server certificate for 127.0.0.1, made once per run directory (openssl); the
# broker reads key and chain from one PEM file, the key unencrypted PKCS#8 (a local test broker only).
if [ -n "$ssl_port" ] && [ ! -f "$run/tls/server-keystore.pem" ]; then
  command -v openssl >/dev/null || { echo "kafka: openssl is required for KAFKA_SSL_PORT" >&2; exit 1; }
  mkdir -p "$run/tls"
  (
    cd "$run/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=sanksi-local-kafka-ca" \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt
    openssl pkcs8 -topk8 -nocrypt -in server.key -out server.p8
    cat server.p8 server.crt >server-keystore.pem.tmp
    mv server-keystore.pem.tmp server-keystore.pem
  ) >>"$run/format.log" 2>&1 || { echo "kafka: making the TLS certificate failed (see $run/format.log)" >&2; exit 1; }
fi

{
  cat "$here/server.properties"
  listeners="PLAINTEXT://127.0.0.1:$port"
  map="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [ -n "$sasl_port" ]; then
    listeners="$listeners,SASL_PLAINTEXT://127.0.0.1:$sasl_port"
    map="$map,SASL_PLAINTEXT:SASL_PLAINTEXT"
    # SCRAM credentials live in the KRaft metadata log (added at format time or by AddScramUser.java).
    echo "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512"
    for mechanism in scram-sha-256 scram-sha-512; do
      echo "listener.name.sasl_plaintext.$mechanism.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
    done
  fi
  if [ -n "$ssl_port" ]; then
    listeners="$listeners,SSL://127.0.0.1:$ssl_port"
    map="$map,SSL:SSL"
    echo "listener.name.ssl.ssl.keystore.type=PEM"
    echo "listener.name.ssl.ssl.keystore.location=$run/tls/server-keystore.pem"
    echo "listener.name.ssl.ssl.client.auth=none"
  fi
  echo "listeners=$listeners,CONTROLLER://127.0.0.1:$cport"
  echo "advertised.listeners=$listeners"
  echo "listener.security.protocol.map=$map"
  echo "controller.quorum.voters=1@127.0.0.1:$cport"
  echo "log.dirs=$run/data"
} >"$run/server.properties"

# shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of JVM flags on purpose
jvm=(${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m} -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$here/log4j2.properties")

if [ ! -f "$run/data/meta.properties" ]; then
  cluster_id="$(java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$run/format.log" | tail -n1)"
  scram=()
  if [ -n "$sasl_port" ]; then
    scram=(--add-scram "SCRAM-SHA-256=[name=$scram_user,password=$scram_password]"
      --add-scram "SCRAM-SHA-512=[name=$scram_user,password=$scram_password]")
  fi
  if ! java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$run/server.properties" \
    --ignore-formatted "${scram[@]}" >>"$run/format.log" 2>&1; then
    echo "kafka: formatting storage in $run/data failed:" >&2
    tail -n 20 "$run/format.log" >&2
    exit 1
  fi
  if [ -n "$sasl_port" ]; then touch "$scram_marker"; fi
fi

# Keep one previous log: the file is appended to by every start.
if [ -f "$log" ] && [ "$(stat -c %s "$log")" -gt $((50 * 1024 * 1024)) ]; then mv -f "$log" "$log.1"; fi
echo "kafka: starting on 127.0.0.1:$port (log: $log)"
# Its own session: killing the shell or job that ran this script must not take the broker with it.
setsid java "${jvm[@]}" -cp "$cp" kafka.Kafka "$run/server.properties" >>"$log" 2>&1 </dev/null &
echo $! >"$pidfile"

if ! node "$here/wait-ready.mjs" "127.0.0.1:$port" "$timeout"; then
  echo "kafka: the broker did not answer within ${timeout}s; last lines of $log:" >&2
  tail -n 40 "$log" >&2
  KAFKA_RUN_DIR="$run" "$here/stop.sh" >/dev/null 2>&1 || true
  exit 1
fi
ensure_scram_user
echo "kafka: ready on 127.0.0.1:$port${sasl_port:+ (SASL/SCRAM on 127.0.0.1:$sasl_port)}${ssl_port:+ (TLS on 127.0.0.1:$ssl_port)} (pid $(cat "$pidfile"))"
