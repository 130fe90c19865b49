#!/usr/bin/env bash
# A server started a second ago, with and without the JDK's start-up cache (bin/lib/aot.sh), side by side: for each
# ROUNDS, for each rate in RATES, a plain start and a cached start (in alternating order), each on the same embedded
# PostgreSQL data directory (made once beforehand, so that initdb is not timed). Each start is timed from launch to
# /health/ready; one second after it is ready, `loadtest --scenario steady` sends at that rate for DURATION, and the
# table gives the whole run's send->delivered p50/p99 and its first 100 sends' p99. The load generator runs with its
# own start-up cache in both columns, so that only the server's start differs.
#
#   bench/cold-start.sh                                 # RATES="20 200", 3 rounds, 15 s runs, REST
#   TRANSPORT=socket RATES=20 ROUNDS=5 bench/cold-start.sh
#   COURIER_JAR=/tmp/before.jar bench/cold-start.sh         # another build than target/courier.jar
#
# Needs a JDK 25 or newer (the cache's one-step workflow). Bounded: one training run (about 15 s of load), then
# ROUNDS x RATES x 2 starts of DURATION each; loopback only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rates="${RATES:-20 200}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-15s}"
users="${USERS:-10}"
transport="${TRANSPORT:-rest}"

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
# COURIER_JAR=path measures that jar instead of target/courier.jar (another build, for a before/after comparison).
[[ -n "${COURIER_JAR:-}" ]] || "$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
# shellcheck source=../bin/lib/aot.sh
source "$root/bin/lib/aot.sh"
use_jdk
(( JAVA_MAJOR >= 25 )) || { echo "bench: the start-up cache needs JDK 25 or newer; this is $JAVA_MAJOR" >&2; exit 1; }
courier_jvm_opts serve

work="$(mktemp -d -t courier-cold.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# A private copy: a rebuild during the bench must not swap the jar, and the caches belong to this copy.
cp "${COURIER_JAR:-$root/target/courier.jar}" "$work/courier.jar"
jar="$work/courier.jar"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# start_server [JVM OPTION...]: starts the server on $work/data and waits until it is ready; sets ready_ms
start_server() {
  local t0
  t0=$(date +%s%N)
  COURIER_RATE_LIMITS=off "$JAVA_HOME/bin/java" "${jvm_opts[@]}" "$@" -jar "$jar" serve --host 127.0.0.1 \
    --port "$port" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 2400); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      ready_ms=$(( ($(date +%s%N) - t0) / 1000000 )); return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server did not start:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "bench: the server was not ready within 2 minutes" >&2; exit 1
}

stop_server() {
  kill "$server_pid"; for _ in $(seq 1 120); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  server_pid=""
}

echo "bench: making the data directory and training the start-up caches" >&2
start_server; stop_server
aot_train "$jar" "$work/server.aot" "$work/client.aot" || exit 1
aot_options "$jar" "$work/client.aot"; client_aot=("${aot_opts[@]}")

printf '%-6s %-5s %-7s %9s %9s %9s %14s %8s %s\n' round rate start ready_ms p50_ms p99_ms first100_p99 verdict host_load
for round in $(seq 1 "$rounds"); do
  for rate in $rates; do
    order=(plain cached); (( round % 2 == 0 )) && order=(cached plain)
    for mode in "${order[@]}"; do
      if [[ $mode == cached ]]; then start_server "-XX:AOTCache=$work/server.aot"; else start_server; fi
      sleep 1
      "$JAVA_HOME/bin/java" "${jvm_opts[@]}" "${client_aot[@]}" -jar "$jar" loadtest --url "http://127.0.0.1:$port" \
        --scenario steady --transport "$transport" --rate "$rate" --users "$users" --duration "$duration" \
        --report-json "$work/r.json" --report-html "$work/r.html" >"$work/loadtest.log" 2>&1 || true
      read -r p50 p99 first verdict < <(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
d = r.get("sendToDelivered") or r["sendToAck"]; o = r["opening"]; f = o.get("sendToDelivered") or o["sendToAck"]
print("%.1f %.1f %.1f %s" % (d["p50"], d["p99"], f["p99"], r["verdict"]))' "$work/r.json")
      printf '%-6s %-5s %-7s %9s %9s %9s %14s %8s %s\n' "$round" "$rate" "$mode" "$ready_ms" "$p50" "$p99" "$first" \
        "$verdict" "$(cut -d' ' -f1 /proc/loadavg)"
      stop_server
    done
  done
done
