#!/usr/bin/env bash
# Puts the Kafka jars of pom.xml into infra/kafka/lib/ (git-ignored). Maven's local repository
# (~/.m2) caches the download, so a fresh clone only copies files; an unchanged pom does nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$here/lib/.fetched-$(sha256sum "$here/pom.xml" | cut -c1-16)"
if [ -f "$stamp" ]; then exit 0; fi
command -v mvn >/dev/null || { echo "infra/kafka/fetch.sh: Maven (mvn) is required to fetch Kafka" >&2; exit 1; }
command -v java >/dev/null || { echo "infra/kafka/fetch.sh: Java 17+ is required to run Kafka" >&2; exit 1; }
# A changed pom may drop jars: start from an empty folder so no stale version stays on the classpath.
rm -rf "$here/lib"
mkdir -p "$here/lib"
echo "kafka: fetching $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml") from Maven Central"
# Maven's output is kept for a failure only: a quiet run still prints terminal colour codes.
if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies >"$here/lib/.mvn.log" 2>&1; then
  echo "kafka: Maven could not fetch Kafka:" >&2
  tail -n 30 "$here/lib/.mvn.log" >&2
  exit 1
fi
touch "$stamp"
