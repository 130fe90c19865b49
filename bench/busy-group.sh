#!/usr/bin/env bash
# Does one busy group slow the other conversations? Starts Courier (embedded PostgreSQL, pool 5, rate limits off) and
# alternates two steady load tests over the socket, ROUNDS times each:
#   quiet: the other conversations alone, at OTHERS_RATE msg/s;
#   busy:  the same sends to the same conversations, plus BUSY_RATE msg/s into one extra group of BUSY_SIZE members
#          (the load tester's --busy-group-share), so the others' load is the same in both.
# Prints the other conversations' send->delivered latency in each run, the busy group's own figures, and the median
# of the others' p99 with and without the busy group, side by side.
#
#   bench/busy-group.sh
#   OTHERS_RATE=2000 BUSY_RATE=500 BUSY_SIZE=50 ROUNDS=5 bench/busy-group.sh
#
# Bounded: a 20 s warm-up, then 2 x ROUNDS runs of DURATION each, plus setup; loopback only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
others_rate="${OTHERS_RATE:-1000}"
busy_rate="${BUSY_RATE:-1000}"
busy_size="${BUSY_SIZE:-20}"
rounds="${ROUNDS:-3}"
users="${USERS:-60}"
duration="${DURATION:-30s}"
slo="${SLO_P99:-50ms}"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
[[ -x "$pgbin/psql" ]] || need+=(postgresql-client-15)
bench_install_missing "${need[@]}"
bench_start_server courier-busy 5
bench_preallocate_wal

total="$(awk -v o="$others_rate" -v b="$busy_rate" 'BEGIN { print o + b }')"
share="$(awk -v o="$others_rate" -v b="$busy_rate" 'BEGIN { printf "%.6f", b / (o + b) }')"
load() {  # load NAME RATE [extra options...]
  local name="$1" rate="$2"; shift 2
  courier loadtest --url "http://127.0.0.1:$port" --transport socket --rate "$rate" --duration "$duration" \
    --users "$users" --slo-p99 "$slo" --report-json "$work/$name.json" --report-html "$root/bench/$name.html" "$@" \
    >"$work/$name.log" 2>&1 || true
  [[ -s "$work/$name.json" ]] || { echo "bench: $name wrote no report:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
}

echo "bench: warming up for ${WARMUP:-20s} at $total msg/s with the busy group" >&2
courier loadtest --url "http://127.0.0.1:$port" --transport socket --rate "$total" --duration "${WARMUP:-20s}" \
  --users "$users" --busy-group-share "$share" --busy-group-size "$busy_size" \
  --report-json "$work/warmup.json" --report-html "$work/warmup.html" >"$work/warmup.log" 2>&1 || true

quiet_p99=(); busy_p99=()
row() { printf '%-7s %-6s %9s %9s %9s %9s %9s %9s\n' "$@"; }
row round run "acked/s" "p50 ms" "p99 ms" "p99.9 ms" errors lost >"$work/table"
for round in $(seq 1 "$rounds"); do
  # Alternate which goes first, so that a drift of the machine falls on both.
  order=(quiet busy); (( round % 2 == 0 )) && order=(busy quiet)
  for kind in "${order[@]}"; do
    name="busy-group-$kind-$round"
    echo "bench: round $round/$rounds: $kind" >&2
    if [[ $kind == quiet ]]; then
      load "$name" "$others_rate"
      others='{acked: .acked, failed: .failed, d: .sendToDelivered}'
    else
      load "$name" "$total" --busy-group-share "$share" --busy-group-size "$busy_size"
      others='{acked: .busyGroup.others.acked, failed: .busyGroup.others.failed, d: .busyGroup.others.sendToDelivered}'
    fi
    r="$work/$name.json"
    read -r acked p50 p99 p999 failed lost < <(jq -r "$others"' as $o
        | [($o.acked / .durationSeconds | floor), $o.d.p50, $o.d.p99, $o.d.p999, $o.failed, .integrity.lost] | @tsv' "$r")
    row "$round" "$kind" "$acked" "$p50" "$p99" "$p999" "$failed" "$lost" >>"$work/table"
    if [[ $kind == quiet ]]; then quiet_p99+=("$p99"); else
      busy_p99+=("$p99")
      jq -r '"        busy group itself: \(.busyGroup.busy.acked / .durationSeconds | floor) acked/s, p50 \(.busyGroup.busy.sendToDelivered.p50) ms, p99 \(.busyGroup.busy.sendToDelivered.p99) ms, \(.busyGroup.busy.failed) failed"' "$r" >>"$work/table"
    fi
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "The other conversations at $others_rate msg/s, alone (quiet) and beside a group of $busy_size members taking $busy_rate msg/s (busy):"
cat "$work/table"
q="$(median "${quiet_p99[@]}")"; b="$(median "${busy_p99[@]}")"
printf '\nmedian p99 send->delivered of the other conversations: quiet %s ms, busy %s ms (ratio %s; objective %s)\n' \
  "$q" "$b" "$(awk -v q="$q" -v b="$b" 'BEGIN { printf "%.2f", (q > 0 ? b / q : 0) }')" "$slo"
