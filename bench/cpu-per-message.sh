#!/usr/bin/env bash
# Where the CPU goes per message: starts Courier (embedded PostgreSQL, pool 5, rate limits off), runs a steady load
# test at RATE msg/s for 25 s, and, between the load test's progress lines t=5s and t=20s (after the virtual users
# registered and the JIT settled), samples the CPU time of the server, of PostgreSQL's processes and of the load
# generator, the busiest threads of both, and the server's write and the load generator's read system calls (most
# are socket writes and reads), and both processes' voluntary context switches. Prints CPU microseconds, system
# calls and context switches per acknowledged message. A warm-up
# at the same load comes first, so that the server's JIT compiler has settled.
#
#   bench/cpu-per-message.sh                      # socket transport, 400 msg/s, one run
#   RATE=200 TRANSPORT=rest RUNS=3 bench/cpu-per-message.sh
#
# Bounded: a 20 s warm-up (WARMUP), then 25 s of load per run, plus setup; loopback only. Linux only (reads /proc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rate="${RATE:-400}"
transport="${TRANSPORT:-socket}"
runs="${RUNS:-1}"
users="${USERS:-60}"

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
bench_start_server courier-cpu 5

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Read and write system calls of a process so far (each socket read or write is one).
syscalls() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }
# Voluntary context switches of all of a process's threads so far (a thread that sleeps or parks gives up its CPU).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n + 0}'; }
# PostgreSQL's processes: the embedded postmaster (found by its data directory) and its children, the backends.
postgres_ticks() {
  local total=0 pid postmaster
  postmaster="$(pgrep -f -- "-D $work/data/" | head -1)"
  for pid in $postmaster $(pgrep -P "$postmaster"); do
    total=$((total + $(ticks "$pid")))
  done
  echo "$total"
}
# CPU ticks per thread name of process $1 (digits folded, so writer-0 and writer-1 add up).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm" 2>/dev/null | sed 's/[0-9]*$/#/')" "$(ticks "${t#/proc/}" 2>/dev/null || echo 0)"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
# busiest_threads server|load: the 8 threads of that process that took the most CPU per message in this run.
busiest_threads() {
  join "$work/$1-threads0" "$work/$1-threads1" | awk -v hz="$hz" -v n="$acked" \
    '{ d = $3 - $2; if (d > 0) printf "    %8d  %s\n", d * 1000000 / hz / n, $1 }' | sort -rn | head -8
}
wait_for_line() { until grep -q "^t= *$1s" "$2" 2>/dev/null; do kill -0 "$3" 2>/dev/null || return 1; sleep 0.1; done; }

# A fresh JVM compiles its hot paths during the first seconds: warm the server up at the same load first.
echo "bench: warming up for ${WARMUP:-20s} at $rate msg/s" >&2
courier loadtest --url "http://127.0.0.1:$port" \
  --transport "$transport" --rate "$rate" --duration "${WARMUP:-20s}" --users "$users" \
  --report-json "$work/warmup.json" --report-html "$work/warmup.html" >"$work/warmup.log" 2>&1 || true

hz="$(getconf CLK_TCK)"
for run in $(seq 1 "$runs"); do
  log="$work/load-$run.log"
  # Started directly (not through the courier function) so that $! is the load generator's JVM, whose CPU is read.
  "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$work/courier.jar" loadtest --url "http://127.0.0.1:$port" \
    --transport "$transport" --rate "$rate" --duration 25s --users "$users" \
    --report-json "$work/load-$run.json" --report-html "$work/load-$run.html" >"$log" 2>&1 &
  load_pid=$!
  wait_for_line 5 "$log" "$load_pid" || { echo "bench: the load test ended early:" >&2; tail -20 "$log" >&2; exit 1; }
  s0=$(ticks "$server_pid"); p0=$(postgres_ticks); l0=$(ticks "$load_pid")
  thread_ticks "$server_pid" >"$work/server-threads0"; thread_ticks "$load_pid" >"$work/load-threads0"
  sw0=$(syscalls "$server_pid" syscw); lr0=$(syscalls "$load_pid" syscr)
  sc0=$(switches "$server_pid"); lc0=$(switches "$load_pid")
  wait_for_line 20 "$log" "$load_pid" || { echo "bench: the load test ended early:" >&2; tail -20 "$log" >&2; exit 1; }
  s1=$(ticks "$server_pid"); p1=$(postgres_ticks); l1=$(ticks "$load_pid")
  thread_ticks "$server_pid" >"$work/server-threads1"; thread_ticks "$load_pid" >"$work/load-threads1"
  sw1=$(syscalls "$server_pid" syscw); lr1=$(syscalls "$load_pid" syscr)
  sc1=$(switches "$server_pid"); lc1=$(switches "$load_pid")
  wait "$load_pid" || true
  acked="$(awk '/^t= *([6-9]|1[0-9]|20)s/ && match($0, /acked= *[0-9]+/) {
                 a = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", a); n += a } END { print n + 0 }' "$log")"
  (( acked > 0 )) || { echo "bench: no message acknowledged between t=5s and t=20s" >&2; tail -20 "$log" >&2; exit 1; }
  per() { echo $(( ($1) * 1000000 / hz / acked )); }
  printf 'run %d: %s %s msg/s, %d acknowledged in 15 s; CPU µs per message: server %d, PostgreSQL %d, load generator %d\n' \
    "$run" "$transport" "$rate" "$acked" "$(per "s1 - s0")" "$(per "p1 - p0")" "$(per "l1 - l0")"
  awk -v w="$((sw1 - sw0))" -v r="$((lr1 - lr0))" -v n="$acked" \
    'BEGIN { printf "  system calls per message: server writes %.2f, load generator reads %.2f\n", w / n, r / n }'
  awk -v s="$((sc1 - sc0))" -v l="$((lc1 - lc0))" -v n="$acked" \
    'BEGIN { printf "  voluntary context switches per message: server %.2f, load generator %.2f\n", s / n, l / n }'
  echo "  server threads (µs per message):"
  busiest_threads server
  echo "  load generator threads (µs per message; its main thread is the pacer):"
  busiest_threads load
  grep -E '^(send->ack|send->delivered|verdict)' "$log" | sed 's/^/  /' || true
done
