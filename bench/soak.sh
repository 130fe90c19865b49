#!/usr/bin/env bash
# Soak (issue #37): one private server (embedded PostgreSQL in a temporary directory, fault injection on, rate limits
# off) under a steady socket load for DURATION, with a drill every DRILL_EVERY (a connection leak and a database
# outage in turn, each DRILL_LENGTH long), and the server's heap, resident memory, threads, file descriptors and pool
# sampled from /metrics. `loadtest --scenario soak` judges each drill as `courier drill` does and the resources flat
# or not (docs/loadtest.md); this starts the server, runs it, keeps the reports and the server's log, and cleans up.
#
#   bench/soak.sh                                  # an hour at 1,200 msg/s over 60 users, a drill every 10 min
#   DURATION=2m DRILL_EVERY=30s DRILL_LENGTH=5s RATE=200 bench/soak.sh      # a short check that it runs
#
# RATE (1200: about a third of what this build sustains over the socket on a 2-core host), USERS (60), DURATION (60m),
# DRILL_EVERY (10m), DRILL_LENGTH (30s), LEAK_RATE (0.2), EDIT_SHARE (2%) and REACT_SHARE (3%) of the arrivals (edits
# and reactions go over REST whatever the transport, and the leak fault leaks from the operations that requests and
# socket reads open, not from socket sends: without them a socket soak's leak drills would leak nothing), POOL (the server's default for this machine's cores:
# cores x 2 + 1), COURIER_HEAP (1g here, for the server and the load generator both: a soak is about what the heap
# does, and a small one shows a leak sooner), OUT (where the reports and the server's log are kept; default
# bench/soak-<time>/, ignored by git), BENCH_PG as in bench/lib/server.sh (default: the embedded PostgreSQL, which the
# outage drill stops and starts again). Bounded: one server start and one run of DURATION plus its drain (at most
# RATE x DURATION x 1.05 messages); loopback only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rate="${RATE:-1200}"
users="${USERS:-60}"
duration="${DURATION:-60m}"
drill_every="${DRILL_EVERY:-10m}"
drill_length="${DRILL_LENGTH:-30s}"
leak_rate="${LEAK_RATE:-0.2}"
edit_share="${EDIT_SHARE:-2%}"
react_share="${REACT_SHARE:-3%}"
pool="${POOL:-$(( $(nproc) * 2 + 1 ))}"
out="${OUT:-$root/bench/soak-$(date -u +%Y%m%dT%H%M%SZ)}"
export BENCH_PG="${BENCH_PG-}"
export COURIER_HEAP="${COURIER_HEAP:-1g}"
admin="soak-admin-$RANDOM$RANDOM$RANDOM"
export BENCH_SERVE_ARGS="--enable-fault-injection --admin-token $admin ${BENCH_SERVE_ARGS:-}"

seconds() {   # 90s, 10m, 1h -> seconds
  local v="$1"
  case "$v" in
    *h) echo $(( ${v%h} * 3600 )) ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *s) echo "${v%s}" ;;
    *) echo "$v" ;;
  esac
}
max_messages=$(python3 -c "import math; print(math.ceil($rate * $(seconds "$duration") * 1.05))")

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
bench_start_server courier-soak "$pool"
mkdir -p "$out"
echo "bench: build $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src pom.xml || echo '+changes'); \
load $(cut -d' ' -f1-3 /proc/loadavg) before the run; reports in $out"
set +e
COURIER_ADMIN_TOKEN="$admin" courier loadtest --url "http://127.0.0.1:$port" --scenario soak --transport socket \
  --users "$users" --rate "$rate" --duration "$duration" --max-messages "$max_messages" \
  --drill-every "$drill_every" --drill-length "$drill_length" --leak-rate "$leak_rate" \
  --edit-share "$edit_share" --react-share "$react_share" \
  --report-json "$out/soak-report.json" --report-html "$out/soak-report.html" | tee "$out/loadtest.out"
status=${PIPESTATUS[0]}
set -e
echo "bench: load $(cut -d' ' -f1-3 /proc/loadavg) after the run; loadtest exit code $status"
cp "$work/serve.log" "$out/serve.log"
echo "server: $(grep -c ' WARN ' "$work/serve.log" || true) WARN and $(grep -c ' ERROR ' "$work/serve.log" || true) \
ERROR log lines (the leak drills warn by the hundred); the log is $out/serve.log"
exit "$status"
