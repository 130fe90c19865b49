#!/usr/bin/env bash
# JMH micro-benchmarks of the hot path, per message: the server's JSON work on /v1/stream (decoding a `send`
# frame, encoding the `ack` and the `message` frame) and the load tester's (decoding the frames it reads); and two
# that go to PostgreSQL: one rate-limit check, with the bucket table unlogged and logged (RateLimitCheck), and
# storing one batch of messages with its columns bound three ways (MessageBatchBinding). They live with the tests
# (src/test/java, classes named *Benchmark) so that every build compiles them. Arguments go to JMH: a regular
# expression picks benchmarks, `-h` lists JMH's options.
#
#   bench/jmh.sh StreamFrame            # the JSON work: 2 forks x 5 iterations of 2 s each, about 3 minutes
#   bench/jmh.sh StreamFrames -f 1      # the server's frames only, one fork
#   bench/jmh.sh RateLimitCheck         # a check's time, median and percentiles
#   bench/jmh.sh MessageBatchBinding -prof gc   # a batch's time and its allocation
#
# On a shared 2-core machine, compare figures from one run only, and mind JMH's error column.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
use_jdk
command -v mvn >/dev/null || { echo "bench: please install maven" >&2; exit 1; }

classpath="$root/target/jmh-classpath.txt"
mvn -q -B test-compile org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >&2
opts=()
if (( JAVA_MAJOR >= 23 )); then opts+=(--sun-misc-unsafe-memory-access=allow); fi
exec "$JAVA_HOME/bin/java" "${opts[@]}" -cp "$root/target/test-classes:$root/target/classes:$(cat "$classpath")" \
  org.openjdk.jmh.Main "$@"
