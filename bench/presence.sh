#!/usr/bin/env bash
# What presence and typing cost: two Courier nodes on one PostgreSQL (the bus between them LISTEN/NOTIFY, or NATS
# with BUS=nats://host:port), USERS virtual users with a stream on node 1 each, sending RATE msg/s over REST, and
# node 2 hearing everything node 1 announces. One load test alternates the chatter every WINDOW: off, then on
# (TYPING of the users typing at any moment, RECONNECT of them reconnecting each minute, away PAUSE: beyond the
# servers' --presence-grace, so that each reconnect is a presence change, gone and back, for the users who share a
# conversation with them), and so on for WINDOWS windows. At each switch it samples the CPU time of both nodes and of
# the PostgreSQL backends of their database, and both nodes' bus counters by kind; it prints them per window, and the
# load test prints the sends' latency with the chatter on and off (its `chatter on and off` lines).
#
#   bench/presence.sh                                   # 10,000 users, 100 msg/s, 1% typing, 1% reconnecting a minute
#   USERS=2000 WINDOW=30s WINDOWS=4 bench/presence.sh
#
# Needs a PostgreSQL both nodes can reach: BENCH_PG (default postgresql://postgres@127.0.0.1:5432), where it makes a
# database of its own and drops it at the end. Bounded: registration of the users (two password hashes each, at the
# cheapest cost), then WINDOWS x WINDOW of load; loopback only. Linux only (reads /proc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
users="${USERS:-10000}"
rate="${RATE:-100}"
typing="${TYPING:-1%}"
reconnect="${RECONNECT:-1%}"
pause="${PAUSE:-20s}"
window="${WINDOW:-60s}"
windows="${WINDOWS:-4}"
bus="${BUS:-postgres}"
export BENCH_PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}"
export BENCH_SERVE_ARGS="--bus $bus --password-hash-cost 1 --max-streams-per-user 4 ${BENCH_SERVE_ARGS:-}"
window_s="${window%s}"
(( window_s >= 10 )) || { echo "bench: WINDOW must be at least 10s, in seconds (e.g. 60s)" >&2; exit 2; }

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
bench_start_server courier-presence 8
node1_pid=$server_pid
port1=$port

# The second node: same jar, same database, its own port; stopped with the first one.
port2="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
COURIER_RATE_LIMITS=off ${server_pin[@]+"${server_pin[@]}"} "$JAVA_HOME/bin/java" "${jvm_opts[@]}" \
  -jar "$work/courier.jar" serve --host 127.0.0.1 --port "$port2" --db-url "$bench_db_url" --pool-size 8 \
  ${BENCH_SERVE_ARGS} >"$work/serve2.log" 2>&1 &
node2_pid=$!
stop_node2() { kill "$node2_pid" 2>/dev/null && for _ in $(seq 1 60); do kill -0 "$node2_pid" 2>/dev/null || break; sleep 0.5; done; bench_cleanup; }
trap stop_node2 EXIT
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$port2/health/ready" >/dev/null 2>&1 && break
  kill -0 "$node2_pid" 2>/dev/null || { echo "bench: node 2 did not start:" >&2; tail -20 "$work/serve2.log" >&2; exit 1; }
  sleep 0.5
done
echo "bench: node 1 on :$port1, node 2 on :$port2, database $bench_db, bus $bus" >&2

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The PostgreSQL backends of this bench's database (the nodes' pools and LISTEN connections), whatever else the
# server runs: the CPU time PostgreSQL spent for the two nodes, without its background processes.
pg_ticks() {
  local total=0 pid
  for pid in $("${psql[@]}" -At -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"); do
    total=$((total + $(ticks "$pid")))
  done
  echo "$total"
}
# metric PORT NAME LABEL: the sum of the series of NAME that carry LABEL (e.g. kind="typing"), 0 when none.
metric() {
  curl -fs "http://127.0.0.1:$1/metrics" | awk -v n="$2" -v l="$3" \
    '(index($0, n "{") == 1 && (l == "" || index($0, l) > 0)) || (l == "" && index($0, n " ") == 1) { s += $NF }
     END { printf "%.0f\n", s }'
}
kinds=(message read conversation session typing presence)
sample() {  # sample FILE: one line of figures at this moment
  local line
  line="$(date +%s.%N) $(ticks "$node1_pid") $(ticks "$node2_pid") $(pg_ticks)"
  for k in "${kinds[@]}"; do line+=" $(metric "$port1" courier_bus_events_published_total "kind=\"$k\"")"; done
  for k in "${kinds[@]}"; do line+=" $(metric "$port2" courier_bus_events_received_total "kind=\"$k\"")"; done
  line+=" $(metric "$port1" courier_presence_changes_total '') $(metric "$port1" courier_stream_frames_sent_total '')"
  line+=" $(cpu_ticks | tr ' ' ',')"
  echo "$line" >>"$1"
}
wait_for_line() { until grep -q "^t= *$1s" "$2" 2>/dev/null; do kill -0 "$3" 2>/dev/null || return 1; sleep 0.2; done; }

duration=$((window_s * windows))
log="$work/load.log"
echo "bench: loading $users users (registration first), then ${duration}s at $rate msg/s, chatter off and on every ${window}" >&2
"$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$work/courier.jar" loadtest --url "http://127.0.0.1:$port1" \
  --transport rest --rate "$rate" --duration "${duration}s" --users "$users" --slo-p99 1s \
  --typing-share "$typing" --reconnect-share "$reconnect" --reconnect-pause "$pause" --chatter-alternate "$window" \
  --report-json "$work/load.json" --report-html "$work/load.html" >"$log" 2>&1 &
load_pid=$!
samples="$work/samples"
for w in $(seq 0 "$windows"); do
  t=$((w * window_s))
  if (( t == 0 )); then
    until grep -q "^t= *1s" "$log" 2>/dev/null; do
      kill -0 "$load_pid" 2>/dev/null || { echo "bench: the load test ended early:" >&2; tail -20 "$log" >&2; exit 1; }
      sleep 0.2
    done
  else
    wait_for_line "$t" "$log" "$load_pid" || { echo "bench: the load test ended early:" >&2; tail -20 "$log" >&2; exit 1; }
  fi
  sample "$samples"
done
wait "$load_pid" || true
hz="$(getconf CLK_TCK)"

echo
echo "== $users users on node 1, $rate msg/s over REST, bus $bus; chatter: $typing typing, $reconnect reconnecting a minute (away $pause)"
printf '%-7s %-8s %8s %8s %8s  %-44s %-20s %9s %9s %7s\n' window chatter node1 node2 postgres \
  "node1 published/s: msg read conv sess typing pres" "node2 heard/s: typing pres" "presence/s" "frames/s" stolen
awk -v hz="$hz" -v win="$window_s" -v n="${#kinds[@]}" '
  NR > 1 {
    split(prev, a, " "); split($0, b, " ")
    dt = b[1] - a[1]
    chatter = ((NR - 2) % 2 == 1) ? "on" : "off"
    pub = ""; for (i = 0; i < n; i++) pub = pub sprintf(" %6.1f", (b[5 + i] - a[5 + i]) / dt)
    heard = sprintf("%6.1f %6.1f", (b[5 + n + 4] - a[5 + n + 4]) / dt, (b[5 + n + 5] - a[5 + n + 5]) / dt)
    split(a[5 + 2 * n + 2], x, ","); split(b[5 + 2 * n + 2], y, ","); tot = 0
    for (i = 1; i <= 8; i++) tot += y[i] - x[i]
    stolen = tot > 0 ? sprintf("%.1f%%", 100 * (y[8] - x[8]) / tot) : "-"
    printf "%3d-%-3d %-8s %8.3f %8.3f %8.3f  %-44s %-20s %9.2f %9.1f %7s\n", (NR - 2) * win, (NR - 1) * win, chatter,
      (b[2] - a[2]) / hz / dt, (b[3] - a[3]) / hz / dt, (b[4] - a[4]) / hz / dt, pub, heard,
      (b[5 + 2 * n] - a[5 + 2 * n]) / dt, (b[5 + 2 * n + 1] - a[5 + 2 * n + 1]) / dt, stolen
  }
  { prev = $0 }' "$samples"
echo "(node1, node2, postgres: CPU cores used; postgres counts only the backends of this bench's database)"
echo
grep -E "^== |^send->|^integrity|^chatter|^  send->|^errors|^verdict|^warning" "$log" || tail -30 "$log"
echo "bench: load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
