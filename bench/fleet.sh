#!/usr/bin/env bash
# bench/fleet.sh [restarts|kill|all|--scale]: a Courier fleet on loopback, as operators run one, under a steady socket
# load.
#
# PostgreSQL (FLEET_PG, default this machine's postgresql://postgres@127.0.0.1:5432, in a database of its own dropped
# on exit), PgBouncer in transaction mode in front of it, NATS for the fan-out, three Courier nodes
# (--db-pool-mode transaction, --db-direct-url for the migrations, --bus nats://...) and HAProxy in front of them
# (HTTP and WebSocket, health-checked on /health/ready). `courier loadtest --transport socket` runs through HAProxy.
#   restarts: every node in turn gets SIGTERM, is waited for, and is started again, during the load.
#   kill:     one node gets kill -9 mid-run (and is started again 10 s later).
#   --scale:  one node at first, a ramp over REST (each request balanced on its own, so a new node takes load at once);
#             every second the script reads each running node's courier_node_saturation, and when the fleet's mean
#             (averaged over the last 10 s) stays above the nodes' target (courier_node_saturation_target, or FLEET_SCALE_THRESHOLD) for 10 s it
#             starts the next node, up to three. This is the loop an HPA or KEDA runs (docs/scaling.md), with real
#             processes. FLEET_SCALE_RATE (first step, default 100 msg/s, x1.5 every 30 s), FLEET_SCALE_DURATION.
# Prints acknowledged msg/s, errors by code, the sends' p99 outside and during the disturbances, the streams resumed,
# and lost / duplicated / out-of-order. Integrity: 0 lost, errors <= 0.1% of sends.
# Missing Debian packages (haproxy, pgbouncer, nats-server) are installed by name with apt-get (as root).
# FLEET_RATE (msg/s, default 50), FLEET_DURATION (s, default 240), FLEET_USERS (default 60), FLEET_HEAP (per node,
# default 512m). Every wait below is bounded in count and time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
# shellcheck source=lib/haproxy.sh
source "$root/bench/lib/haproxy.sh"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"

scenario="${1:-all}"
rate="${FLEET_RATE:-50}"
duration="${FLEET_DURATION:-240}"
users="${FLEET_USERS:-60}"
pg_url="${FLEET_PG:-postgresql://postgres@127.0.0.1:5432}"
nodes=3

missing=()
[[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
[[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
[[ -x /usr/sbin/nats-server ]] || command -v nats-server >/dev/null || missing+=(nats-server)
bench_install_missing ${missing[@]+"${missing[@]}"}

use_jdk
"$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
work="$(mktemp -d -t fleet.XXXXXX)"
chmod 777 "$work"
cp "$root/target/courier.jar" "$work/courier.jar"
COURIER_HEAP="${FLEET_HEAP:-512m}" courier_jvm_opts serve
serve_opts=("${jvm_opts[@]}")
COURIER_HEAP=1g courier_jvm_opts loadtest
loadtest_opts=("${jvm_opts[@]}")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_unprivileged() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pids=()
db=""
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"} ${node_pid[@]+"${node_pid[@]}"}; do kill -9 "$pid" 2>/dev/null || true; done
  [[ -f "$work/pgbouncer.pid" ]] && kill "$(cat "$work/pgbouncer.pid")" 2>/dev/null || true
  [[ -z "$db" ]] || "$pgbin/psql" -X -q "$pg_url/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  # the reports, logs and windows of the last run stay for a look (target/ is not versioned)
  mkdir -p "$root/target/fleet" && cp "$work"/*.json "$work"/*.out "$work"/*.windows "$work"/*.log "$root/target/fleet/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

read -r pg_host pg_port < <(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1])
print(p.hostname, p.port or 5432)' "$pg_url")

# ---- PgBouncer in transaction mode, NATS
start_infrastructure() {
  db="courier_fleet_$$_$RANDOM"
  "$pgbin/psql" -X -q "$pg_url/postgres" -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >&2
  # The pool's timeouts as the database's defaults: behind transaction pooling no startup option can carry them.
  "$pgbin/psql" -X -q "$pg_url/postgres" -v ON_ERROR_STOP=1 \
    -c "ALTER DATABASE $db SET statement_timeout = '5000ms'" \
    -c "ALTER DATABASE $db SET lock_timeout = '2000ms'" \
    -c "ALTER DATABASE $db SET idle_in_transaction_session_timeout = '10000ms'" >&2
  bouncer_port="$(free_port)"
  printf '"postgres" ""\n' > "$work/userlist.txt"
  cat > "$work/pgbouncer.ini" <<INI
[databases]
* = host=$pg_host port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
  chmod 644 "$work"/userlist.txt "$work"/pgbouncer.ini
  as_unprivileged /usr/sbin/pgbouncer -d "$work/pgbouncer.ini"
  nats_port="$(free_port)"
  nats-server -a 127.0.0.1 -p "$nats_port" >"$work/nats.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$bouncer_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "fleet: PgBouncer or NATS did not start" >&2; tail "$work"/pgbouncer.log "$work"/nats.log >&2; exit 1
}

# ---- the nodes
declare -a node_port node_pid
start_node() {
  local i=$1
  COURIER_RATE_LIMITS=off "$JAVA_HOME/bin/java" "${serve_opts[@]}" -jar "$work/courier.jar" serve --host 127.0.0.1 \
    --port "${node_port[$i]}" --db-url "postgresql://postgres@127.0.0.1:$bouncer_port/$db" --db-pool-mode transaction \
    --db-direct-url "$pg_url/$db" --bus "nats://127.0.0.1:$nats_port" --pool-size 8 --drain-timeout 20s \
    >>"$work/node$i.log" 2>&1 &
  node_pid[$i]=$!
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:${node_port[$i]}/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "${node_pid[$i]}" 2>/dev/null || { echo "fleet: node $i did not start" >&2; tail -20 "$work/node$i.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "fleet: node $i not ready within 2 minutes" >&2; exit 1
}
# stop_node I SIGNAL: sends the signal and waits (at most 60 s) for the process to exit; prints the seconds it took.
stop_node() {
  local i=$1 signal=$2 start
  start=$(date +%s.%N)
  kill "-$signal" "${node_pid[$i]}"
  for _ in $(seq 1 600); do kill -0 "${node_pid[$i]}" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "${node_pid[$i]}" 2>/dev/null; then echo "fleet: node $i still running 60 s after $signal" >&2; exit 1; fi
  wait "${node_pid[$i]}" 2>/dev/null || true
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)"
}

# ---- HAProxy in front: HTTP and WebSocket, health-checked on readiness
start_haproxy() { haproxy_start "$nodes" 2s 1 8000; }

# ---- one run: the load through HAProxy and the disturbance beside it
# run NAME DISTURBANCE: DISTURBANCE is a function given the load's start (epoch seconds); it appends
# "start end" windows (seconds since the load started) to $work/NAME.windows.
run() {
  local name=$1 disturb=$2
  : > "$work/$name.windows"
  "$JAVA_HOME/bin/java" "${loadtest_opts[@]}" -jar "$work/courier.jar" loadtest --url "http://127.0.0.1:$lb_port" \
    --transport socket --rate "$rate" --duration "${duration}s" --users "$users" --drain 20s \
    --report-json "$work/$name.json" --report-html "$work/$name.html" >"$work/$name.out" 2>&1 &
  local lt=$!
  local load_start=""
  for _ in $(seq 1 1200); do
    if grep -q 't=  1s' "$work/$name.out" 2>/dev/null; then load_start=$(( $(date +%s) - 1 )); break; fi
    kill -0 "$lt" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$load_start" ]] || { echo "fleet: the load did not start" >&2; tail -20 "$work/$name.out" >&2; exit 1; }
  "$disturb" "$load_start" "$work/$name.windows"
  wait "$lt" || true
  grep -E '^loadtest: (streams resumed|verdict)' "$work/$name.out" >&2 || true
  summarize "$name"
}

since() { echo $(( $(date +%s) - $1 )); }

restart_every_node() {
  local load_start=$1 windows=$2 i from took
  sleep 15
  for i in $(seq 1 $nodes); do
    from=$(since "$load_start")
    took=$(stop_node "$i" TERM)
    start_node "$i"
    echo "$from $(since "$load_start") node$i SIGTERM: exited after ${took} s, ready again" >> "$windows"
    echo "fleet: t=${from}s node $i drained and exited in ${took} s, started again; ready at t=$(since "$load_start")s" >&2
    sleep 10
  done
}

kill_one_node() {
  local load_start=$1 windows=$2 from
  sleep 20
  from=$(since "$load_start")
  stop_node 2 KILL >/dev/null
  echo "fleet: t=${from}s node 2 killed (-9)" >&2
  sleep 10
  start_node 2
  echo "$from $(since "$load_start") node2 SIGKILL, started again 10 s later" >> "$windows"
}

summarize() {
  python3 - "$work/$1.json" "$work/$1.windows" "$work/$1.out" "$1" <<'PY'
import json, re, statistics, sys
report = json.load(open(sys.argv[1]))
windows = []
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) >= 2:
        windows.append((int(parts[0]), int(parts[1]) + 5))   # and 5 s after the node is back
inside, outside = [], []
errors_in, errors_out = 0, 0
for i in report["timeline"]:
    during = any(a <= i["t"] <= b for a, b in windows)
    if during:
        errors_in += i.get("errors", 0)
    else:
        errors_out += i.get("errors", 0)
    s = i["sendToAck"]
    if not s or s["count"] == 0:
        continue
    (inside if during else outside).append(s["p99"])
out = open(sys.argv[3]).read()
m = re.search(r"streams resumed after the server closed them: (\d+).*?not resumed: (\d+); sends sent again: (\d+)", out)
integ = report["integrity"]
errors = report["errors"] or {}
sent = report["attempted"]
err_total = sum(errors.values())
med = lambda xs: f"{statistics.median(xs):.0f}" if xs else "-"
mx = lambda xs: f"{max(xs):.0f}" if xs else "-"
print(f"\n== {sys.argv[4]}")
print("| sent | acked | acked msg/s | errors (by code) | error share | errors outside / during | p99 ms outside (median / worst second) "
      "| p99 ms during (median / worst second) | streams resumed (not resumed) | sent again | lost | duplicated | out of order |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print(f"| {sent} | {report['acked']} | {report['throughputPerSecond']:.1f} | "
      f"{', '.join(f'{k}: {v}' for k, v in errors.items()) or 'none'} | {100.0 * err_total / max(1, sent):.3f}% | "
      f"{errors_out} / {errors_in} | "
      f"{med(outside)} / {mx(outside)} | {med(inside)} / {mx(inside)} | "
      f"{m.group(1) if m else '?'} ({m.group(2) if m else '?'}) | {m.group(3) if m else '?'} | "
      f"{integ['lost']} | {integ['duplicated']} | {integ['outOfOrder']} |")
ok = integ["lost"] == 0 and integ["duplicated"] == 0 and integ["outOfOrder"] == 0 and err_total <= 0.001 * sent
print(f"integrity {'HOLDS' if ok else 'BROKEN'}: lost {integ['lost']}, errors {err_total} of {sent} sends "
      f"(budget {0.001 * sent:.1f}); history gaps {integ['historyGaps']}, streams closed early {integ['connectionsClosedEarly']}")
for line in open(sys.argv[2]):
    print("  disturbance: t=" + line.strip())
PY
}

# ---- --scale: the autoscaler's loop
metric() { curl -fs "http://127.0.0.1:$1/metrics?name[]=$2" 2>/dev/null | awk -v m="$2" '$1 == m { print $2 }'; }
scale_run() {
  local running=1 above_since="" t=0 start=$SECONDS mean target threshold i lt vals last_logged=-5 window=""
  : > "$work/scale.windows"
  "$JAVA_HOME/bin/java" "${loadtest_opts[@]}" -jar "$work/courier.jar" loadtest --url "http://127.0.0.1:$lb_port" \
    --transport rest --scenario ramp --rate "${FLEET_SCALE_RATE:-100}" --ramp-factor 1.5 --ramp-step 30s \
    --duration "${FLEET_SCALE_DURATION:-240}s" --users "$users" --slo-p99 10s --max-error-rate 100% \
    --report-json "$work/scale.json" --report-html "$work/scale.html" >"$work/scale.out" 2>&1 &
  lt=$!
  target="$(metric "${node_port[1]}" courier_node_saturation_target)"; target="${target:-0.7}"
  threshold="${FLEET_SCALE_THRESHOLD:-$target}"
  echo "| t (s) | target msg/s | nodes | saturation by node | fleet mean | fleet mean, last 10 s | seconds above $threshold |" > "$work/scale.table"
  echo "| --- | --- | --- | --- | --- | --- | --- |" >> "$work/scale.table"
  # Wall-clock seconds (a loop turn takes longer than its sleep on a busy host); bounded by the run's length.
  while kill -0 "$lt" 2>/dev/null && (( SECONDS - start < ${FLEET_SCALE_DURATION:-240} + 180 )); do
    sleep 1
    t=$(( SECONDS - start ))
    vals=""
    for i in $(seq 1 $running); do
      local v; v="$(metric "${node_port[$i]}" courier_node_saturation)"; vals="$vals ${v:-0}"
    done
    mean=$(echo "$vals" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF }')
    # The gauge is an instant's sample (the pool's share moves by eighths from one second to the next), so the loop
    # judges the fleet's mean over the last 10 s, as an HPA rule over avg_over_time(...) would.
    window="$window $mean"; window="$(echo "$window" | awk '{ for (i = (NF > 10 ? NF - 9 : 1); i <= NF; i++) printf " %s", $i }')"
    local smoothed; smoothed=$(echo "$window" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF }')
    if awk -v m="$smoothed" -v x="$threshold" 'BEGIN { exit !(m > x) }'; then
      [[ -n "$above_since" ]] || above_since=$t
    else
      above_since=""
    fi
    local held=0; [[ -z "$above_since" ]] || held=$(( t - above_since ))
    local rate_now; rate_now="$(grep -o 'target= *[0-9.]*' "$work/scale.out" | tail -1 | grep -o '[0-9.]*$' || true)"
    if (( t - last_logged >= 5 || held >= 10 )); then
      echo "| $t | ${rate_now:--} | $running |$(printf ' %.2f' $vals) | $mean | $smoothed | $held |" >> "$work/scale.table"
      last_logged=$t
    fi
    if (( held >= 10 && running < nodes )); then
      running=$((running + 1))
      echo "fleet: t=${t}s fleet saturation (10 s mean) $smoothed above $threshold for ${held} s: starting node $running" >&2
      start_node "$running"
      echo "$t $(( SECONDS - start )) node$running added (fleet mean over 10 s $smoothed above $threshold for $held s)" >> "$work/scale.windows"
      echo "| $(( SECONDS - start )) | ${rate_now:--} | $running | node $running ready (started at t=$t) | | | 0 |" >> "$work/scale.table"
      above_since=""; window=""
    fi
  done
  wait "$lt" || true
  echo; echo "== scale"; cat "$work/scale.table"
  grep -E '^loadtest: verdict' "$work/scale.out" | head -3 || true
  sed 's/^/  added: t=/' "$work/scale.windows"
}

start_infrastructure
for i in $(seq 1 $nodes); do node_port[$i]="$(free_port)"; done
if [[ "$scenario" == --scale ]]; then
  start_node 1
else
  for i in $(seq 1 $nodes); do start_node "$i"; done
fi
start_haproxy
echo "fleet: PostgreSQL $pg_host:$pg_port/$db, PgBouncer :$bouncer_port (transaction), NATS :$nats_port, nodes ${node_port[*]}, HAProxy :$lb_port; $rate msg/s for ${duration}s, $users users; $(nproc) cores, shared" >&2
case "$scenario" in
  restarts) run restarts restart_every_node ;;
  kill) run kill9 kill_one_node ;;
  all) run restarts restart_every_node; run kill9 kill_one_node ;;
  --scale) scale_run ;;
  *) echo "usage: bench/fleet.sh [restarts|kill|all|--scale]" >&2; exit 2 ;;
esac
grep -c 'unsupported startup parameter' "$work/pgbouncer.log" | sed 's/^/fleet: PgBouncer refusals of startup parameters: /' >&2 || true
