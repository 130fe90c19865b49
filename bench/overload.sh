#!/usr/bin/env bash
# How Courier holds up past its capacity, on one server (issue #26). For each transport a `loadtest --scenario ramp`
# finds the capacity (the highest step rate whose p99 send->delivered is at most SLO_P99), then `--scenario steady`
# offers FACTORS times that rate (default 2x, then 10x) open-loop for HOLD each. Prints one table, a row per transport
# and load: the capacity, the rate offered and the rate actually sent, acknowledged msg/s and its ratio to capacity,
# refusals (429, 503 overloaded/unavailable) per second and how fast they came, the p99 of the accepted sends, errors by
# code, lost/duplicated/out-of-order, and whether the load generator kept to its schedule: at 10x it may fall behind
# (BEHIND), and then its latencies from the intended send time include its own delay.
#
# The issue's targets: acknowledged >= 90% of capacity at 2x and at 10x; refusals answered within 50 ms p99; accepted
# sends p99 <= 100 ms at 2x; nothing lost.
#
#   bench/overload.sh                                        # socket, then REST; PostgreSQL at 127.0.0.1:5432
#   TRANSPORTS=rest HOLD=60s bench/overload.sh
#   BENCH_PG= bench/overload.sh                              # an embedded PostgreSQL instead
#   RAMP_DURATION=40s HOLD=10s WARMUP=5s bench/overload.sh   # a short check that it runs
#   COURIER_JAR=path bench/overload.sh                       # another build
#   CAPACITY_SOCKET=3815 TRANSPORTS=socket bench/overload.sh # no ramp: overload a capacity found before
#
# One server (bench/lib/server.sh: loopback, rate limits off, pool POOL_SIZE) for every run, on a new database of the
# PostgreSQL that BENCH_PG names (default postgresql://postgres@127.0.0.1:5432; the database is dropped on exit). Each
# run registers its own USERS virtual users (default 500), in direct pairs (GROUP_SHARE=0). Per transport: a warm-up
# of WARMUP at WARMUP_RATE_<TRANSPORT>, the ramp from RAMP_START_<TRANSPORT> by RAMP_FACTOR every RAMP_STEP (none when
# CAPACITY_<TRANSPORT> gives the capacity), then the holds. The reports (JSON, HTML), each run's output, the table and the server's log go to RESULTS (default a new
# directory under /tmp), named at the end.
#
# Bounded: every run stops after its --duration or its --max-messages, whichever comes first (the warm-up after
# WARMUP; the ramp by the load tester's ramp rule, after RAMP_DURATION or MAX_MESSAGES sends; each hold after HOLD or
# rate x HOLD sends), then waits at most 10 s (--drain) for deliveries; between runs SETTLE seconds (5), then at most
# 60 s for the server to answer ready again. Each run registers its users before its load starts, which takes a while
# for 500. Loopback only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
transports="${TRANSPORTS:-socket rest}"
factors="${FACTORS:-2 10}"
pool="${POOL_SIZE:-5}"
users="${USERS:-500}"
group_share="${GROUP_SHARE:-0}"
slo="${SLO_P99:-50ms}"
warmup="${WARMUP:-20s}"
ramp_factor="${RAMP_FACTOR:-1.25}"
ramp_step="${RAMP_STEP:-10s}"
ramp_duration="${RAMP_DURATION:-240s}"
max_messages="${MAX_MESSAGES:-5000000}"
hold="${HOLD:-30s}"
settle="${SETTLE:-5}"
# REST costs the load generator much more per message than the socket, so it starts lower.
declare -A warmup_rate=([socket]="${WARMUP_RATE_SOCKET:-2000}" [rest]="${WARMUP_RATE_REST:-200}")
declare -A ramp_start=([socket]="${RAMP_START_SOCKET:-1000}" [rest]="${RAMP_START_REST:-100}")
# A capacity given skips the ramp: the same rate for runs to compare (e.g. two builds, side by side).
declare -A capacity_given=([socket]="${CAPACITY_SOCKET:-}" [rest]="${CAPACITY_REST:-}")
export BENCH_PG="${BENCH_PG-postgresql://postgres@127.0.0.1:5432}"
for transport in $transports; do
  if [[ ! -v "ramp_start[$transport]" ]]; then
    echo "bench: TRANSPORTS: unknown transport '$transport' (socket, rest)" >&2; exit 1
  fi
done
results="${RESULTS:-$(mktemp -d -t courier-overload.XXXXXX)}"
mkdir -p "$results"
# seconds DURATION: 30s, 2m, 1h or a number of seconds.
seconds() {
  local n="${1%[smh]}"
  case "$1" in *m) echo $((n * 60)) ;; *h) echo $((n * 3600)) ;; *) echo "$n" ;; esac
}
hold_seconds="$(seconds "$hold")"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
[[ -x "$pgbin/psql" ]] || need+=(postgresql-client-15)
bench_install_missing "${need[@]}"
bench_start_server courier-overload "$pool"
# Keep the server's log with the results: how it failed under load is part of the answer.
trap 'cp "$work/serve.log" "$results/serve.log" 2>/dev/null || true; bench_cleanup' EXIT
bench_preallocate_wal

# run NAME TRANSPORT OPTION...: one load test, its reports in $results/NAME.json and .html, its output in NAME.log.
run() {
  local name="$1" transport="$2"; shift 2
  rm -f "$results/$name.json"
  courier loadtest --url "http://127.0.0.1:$port" --transport "$transport" --users "$users" \
    --group-share "$group_share" --slo-p99 "$slo" --report-json "$results/$name.json" \
    --report-html "$results/$name.html" "$@" >"$results/$name.log" 2>&1 || true
  if [[ ! -s "$results/$name.json" ]]; then
    echo "bench: $name wrote no report:" >&2; tail -20 "$results/$name.log" >&2; return 1
  fi
}

# ready: waits until the server answers ready again, after the backlog a load left behind; fails after 60 s.
ready() {
  sleep "$settle"
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "bench: the server has stopped:" >&2; tail -20 "$work/serve.log" >&2; exit 1
    fi
    sleep 1
  done
  echo "bench: the server was not ready again within 60 s" >&2; exit 1
}

# row_of REPORT TRANSPORT LOAD CAPACITY: one tab-separated row of the table from a hold's report. Rates count what
# happened while the load was offered, over HOLD (not the answers that came in the wait after it); latencies in ms from
# the intended send time, in brackets from the actual send; "-" for a figure the report lacks (a build from before it,
# through COURIER_JAR).
row_of() {
  jq -r --arg transport "$2" --arg load "$3" --argjson capacity "$4" --argjson hold "$hold_seconds" '
    def r1: if . == null then "-" else . * 10 | round / 10 end;
    def ms(s): "\(s.p50 | r1) / \(s.p99 | r1)";
    def per_second(f): [.timeline[] | select(.targetRate > 0) | f] | add / $hold;
    per_second(.acked) as $acked
    | [$transport, $load, ($capacity | r1), (.baseRate | r1), (per_second(.sent) | r1), ($acked | r1),
     ($acked / $capacity * 100 | round / 100), (per_second(.sendToRefusal.count // 0) | r1),
     "\(ms(.refusals.sendToRefusal)) (\(.refusals.sentToRefusal.p99 | r1))",
     .refusals.withoutRetryAfter,
     "\(.sendToAck.p99 | r1) (\(.generator.sentToAck.p99 | r1))",
     "\(.integrity.lost) / \(.integrity.duplicated) / \(.integrity.outOfOrder)",
     (if .generator.fellBehind then "BEHIND: late p99 \(.generator.pacerLateness.p99 | r1)" else "kept up" end
      + (if .generator.inFlightCapWaits > 0 then ", capped \(.generator.inFlightCapWaits)x" else "" end)),
     (.errors | to_entries | map("\(.key)=\(.value)") | join(", ") | if . == "" then "-" else . end)
    ] | @tsv' "$1"
}

capacity_line='"\($t): capacity \(.ramp.highestPassingRate) msg/s, the highest ramp step at p99 \(.objectives.p99Basis)"
  + " <= \(.objectives.sloP99Ms) ms (acknowledged \(.ramp.sustainedThroughput) msg/s, p99 \(.ramp.p99AtHighestMs) ms)"'
rows=()
capacities=()
for transport in $transports; do
  ready
  echo "bench: $transport: warming up for $warmup at ${warmup_rate[$transport]} msg/s" >&2
  run "$transport-warmup" "$transport" --rate "${warmup_rate[$transport]}" --duration "$warmup" || true

  if [[ -n "${capacity_given[$transport]}" ]]; then
    capacity="${capacity_given[$transport]}"
    capacities+=("$transport: capacity $capacity msg/s, given (CAPACITY_${transport^^}); no ramp")
  else
    ready
    echo "bench: $transport: ramp from ${ramp_start[$transport]} msg/s x$ramp_factor every $ramp_step" \
      "(at most $ramp_duration)" >&2
    run "$transport-ramp" "$transport" --scenario ramp --rate "${ramp_start[$transport]}" \
      --ramp-factor "$ramp_factor" --ramp-step "$ramp_step" --duration "$ramp_duration" \
      --max-messages "$max_messages" || exit 1
    ramp="$results/$transport-ramp.json"
    capacity="$(jq -r '.ramp.highestPassingRate' "$ramp")"
    capacities+=("$(jq -r --arg t "$transport" "$capacity_line" "$ramp")")
    if jq -e '.ramp.steps | length > 0 and .[-1].passed' "$ramp" >/dev/null; then
      capacities[-1]+="; a lower bound: the ramp's last step still met it"
      capacities[-1]+=" (raise RAMP_DURATION or RAMP_START_${transport^^})"
    fi
    jq -r '.warnings[] | "bench: '"$transport"' ramp: warning: " + .' "$ramp" >&2
  fi
  echo "bench: ${capacities[-1]}" >&2
  if ! awk -v c="$capacity" 'BEGIN { exit !(c > 0) }'; then
    echo "bench: $transport: no ramp step met the objective, so there is no capacity to overload" >&2
    rows+=("$(printf '%s\t' "$transport" ramp 0 - - - - - - - - - -)no ramp step met p99 <= $slo")
    continue
  fi

  for factor in $factors; do
    rate="$(awk -v c="$capacity" -v f="$factor" 'BEGIN { printf "%.1f", c * f }')"
    # every send the hold plans, within the load tester's own limit of 50,000,000
    sends="$(awk -v r="$rate" -v s="$hold_seconds" 'BEGIN { n = int(r * s) + 1; print (n < 5e7 ? n : 5e7) }')"
    ready
    echo "bench: $transport: ${factor}x capacity, $rate msg/s for $hold" >&2
    run "$transport-${factor}x" "$transport" --rate "$rate" --duration "$hold" --max-messages "$sends" || exit 1
    rows+=("$(row_of "$results/$transport-${factor}x.json" "$transport" "${factor}x" "$capacity")")
    jq -r '.warnings[] | "bench: '"$transport ${factor}x"': warning: " + .' "$results/$transport-${factor}x.json" >&2
  done
done

{
  echo
  printf '%s\n' "${capacities[@]}"
  echo
  {
    printf '%s\t' transport load capacity offered sent/s acked/s ratio refused/s "refusal p50 / p99 (sent p99)" \
      "no Retry-After" "accepted p99 (sent)" "lost / dup / ooo" generator
    printf 'errors\n'
    printf '%s\n' "${rows[@]}"
  } | column -t -s $'\t'
  echo
  echo "rates in msg/s while the load was offered; latencies in ms from the intended send time, in brackets from the"
  echo "actual send; ratio = acked/s over capacity; refusals are the 429 and 503 answers (counted under errors too)"
} | tee "$results/table.txt"
echo "results: $results"
