#!/usr/bin/env bash
# Stream benchmark: memory per idle WebSocket and fan-out time to N streams on one node process, plus cross-node
# delivery latency at low load. Usage: bench/stream.sh [N...]   (default: 1000 10000; loopback only)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
use_jdk
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
mvn -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >&2
exec "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -Xmx1g \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.courier.bench.StreamBench "$@"
