#!/usr/bin/env bash
# Connection storm: on a freshly started server, STREAMS more streams of a run's users open at once (as every client
# of a node reconnects after a restart or a failover) while the users' first streams keep sending over the socket at a
# steady rate. `loadtest --scenario storm` prints how many were ready within 5 s and within the run, the refusals by
# answer, each stream's time to ready, and the senders' p99 before, during and after; this adds what the server logged
# and how many statements its token checks and stream openings took.
#
#   bench/storm.sh                      # 5000 streams over 500 users, all at once, 200 msg/s for 30 s
#   STREAMS=1000 WINDOW=2s bench/storm.sh
#   COURIER_JAR=/tmp/other.jar bench/storm.sh   # another build's server (e.g. before a change); the load
#                                                 # generator is always this tree's target/courier.jar
#
# USERS (500), RATE (200), DURATION (30s; the storm begins a third in), WINDOW (0s), POOL (the server's default for
# this machine's cores: cores x 2 + 1), BENCH_PG as in bench/lib/server.sh. The server's per-user cap on streams is
# 16 by default: STREAMS / USERS + 1 must stay below it or the excess is refused 429. Bounded: one server start and one
# run of DURATION plus its drain; loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
streams="${STREAMS:-5000}"
users="${USERS:-500}"
rate="${RATE:-200}"
duration="${DURATION:-30s}"
window="${WINDOW:-0s}"
pool="${POOL:-$(( $(nproc) * 2 + 1 ))}"

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
"$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
bench_start_server courier-storm "$pool"
# The load generator of this tree (the storm scenario), whichever server runs.
cp "$root/target/courier.jar" "$work/loadtest.jar"

echo "bench: load $(cut -d' ' -f1-3 /proc/loadavg) before the run; server $( [[ -n "${COURIER_JAR:-}" ]] && echo "$COURIER_JAR" || echo "this tree" )"
set +e
${client_pin[@]+"${client_pin[@]}"} "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$work/loadtest.jar" loadtest \
  --url "http://127.0.0.1:$port" --scenario storm --transport socket --users "$users" --rate "$rate" \
  --duration "$duration" --storm-streams "$streams" --storm-window "$window" \
  --report-json "$work/report.json" --report-html "$work/report.html" | tee "$work/loadtest.out"
status=${PIPESTATUS[0]}
set -e
echo "bench: load $(cut -d' ' -f1-3 /proc/loadavg) after the run; loadtest exit code $status"
metrics="$(curl -fs "http://127.0.0.1:$port/metrics" || true)"
echo "server: log lines 'got no database connection': $(grep -c 'got no database connection' "$work/serve.log" || true)"
echo "server: log lines 'could not open a stream': $(grep -c 'could not open a stream' "$work/serve.log" || true)"
echo "server: overload rejections by reason: $(grep '^courier_db_overload_rejections_total' <<<"$metrics" \
  | sed -E 's/.*reason="([^"]*)".* ([0-9.eE+]+)$/\1=\2/' | tr '\n' ' ')"
echo "server: statements (batches) and keys per lookup: $(grep -E '^courier_db_lookup_batch_size_(count|sum)' <<<"$metrics" \
  | sed -E 's/courier_db_lookup_batch_size_([a-z]+)\{lookup="([^"]*)".* ([0-9.eE+]+)$/\2.\1=\3/' | tr '\n' ' ')"
echo "server: session cache: $(grep '^courier_session_cache_requests_total' <<<"$metrics" \
  | sed -E 's/.*result="([^"]*)".* ([0-9.eE+]+)$/\1=\2/' | tr '\n' ' ')"
