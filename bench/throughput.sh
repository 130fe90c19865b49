#!/usr/bin/env bash
# Courier's highest sustained message rate at p99 <= 50 ms (send to delivered, from `loadtest --scenario ramp`)
# against PostgreSQL's own limit for the same rows (pgbench: one INSERT per transaction into a table shaped like
# `messages`, as many clients as Courier's pool has connections), measured in one run on this machine, on
# loopback only, against the same PostgreSQL instance. Prints each run and the medians side by side. For context it
# also prints one message per transaction as a service with gapless seqs must store it (the conversation's counter
# UPDATE, then the INSERT), which is what Courier's batches replace.
#
#   bench/throughput.sh                 # 3 runs, users sending over their /v1/stream socket
#   RUNS=5 POOL_SIZE=5 bench/throughput.sh
#   TRANSPORT=rest RAMP_START=10 RAMP_FACTOR=1.4 WARMUP_RATE=100 bench/throughput.sh   # users send with POST instead
#   WARMUP=90s WARMUP_RATE=6000 bench/throughput.sh    # the warm-up before the runs (default 60 s at 5,000 msg/s)
#
# The ramp starts at RAMP_START msg/s and grows by RAMP_FACTOR every RAMP_STEP: ×1.12 steps from 2,000 reach 27,000
# within RAMP_DURATION and place the limit within 12%. Every loop is bounded: each ramp stops by the load tester's
# ramp rule (docs/loadtest.md), after RAMP_DURATION or after MAX_MESSAGES sends (enough for the whole default ramp;
# the load tester's own default of 1,000,000 would end it near 12,000 msg/s), each pgbench run lasts PGBENCH_SECONDS.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
pool="${POOL_SIZE:-5}"
users="${USERS:-60}"
transport="${TRANSPORT:-socket}"
ramp_start="${RAMP_START:-2000}"
ramp_factor="${RAMP_FACTOR:-1.12}"
ramp_step="${RAMP_STEP:-10s}"
ramp_duration="${RAMP_DURATION:-240s}"
max_messages="${MAX_MESSAGES:-3000000}"
slo="${SLO_P99:-50ms}"
pgbench_seconds="${PGBENCH_SECONDS:-15}"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
[[ -x "$pgbin/pgbench" ]] || need+=(postgresql-client-15 postgresql-contrib)
bench_install_missing "${need[@]}"
bench_start_server courier-bench "$pool"
bench_preallocate_wal

# A fresh JVM compiles its hot paths during the first minutes: warm it up before anything is measured.
# Over the ramp's transport and near the rates the ramp reaches, not at a trickle: at 6,000 msg/s the server's JIT
# compiler still took 17 µs of CPU per message 25-45 s into the load, and 4 µs 95-110 s in
# (bench/cpu-per-message.sh, WARMUP=90s); after 30 s at 2,000 msg/s the first ramp of a run ended at half the rate
# of the next two (bench/results/2026-12-02-wal-files.md).
warmup_rate="${WARMUP_RATE:-5000}"
echo "bench: warming up for ${WARMUP:-60s} at $warmup_rate msg/s" >&2
courier loadtest --url "http://127.0.0.1:$port" --transport "$transport" --rate "$warmup_rate" \
  --duration "${WARMUP:-60s}" --users "$users" \
  --report-json "$work/warmup.json" --report-html "$work/warmup.html" >"$work/warmup.log" 2>&1 || true
# A warm-up the machine cannot sustain leaves the first ramp starting behind; say so, since it shows in run 1.
# Judged by its last 10 s of load: the whole run's p99 is set by the cold JIT's first seconds, which the warm-up is
# there to absorb (on 2026-12-04, its first 3 s at p99 340-650 ms and the rest at 12-140 ms a second; the run's own
# p99 was 500-990 ms in sets whose ramps then went on to 12,000-13,700 msg/s).
if [[ -s "$work/warmup.json" ]]; then
  jq -r --argjson rate "$warmup_rate" '([.timeline[] | select(.sent > 0)] | .[-10:]) as $last
    | if ($last | length) == 0 then "bench: warning: the warm-up recorded no second of load"
      else ($last | map(.acked) | add / length) as $acked | ($last | map(.sendToAck.p99 // 0) | max) as $p99
        | if $acked < 0.9 * $rate or $p99 > 500 then
            "bench: warning: in the warm-up'"'"'s last \($last | length) s, \($acked) of \($rate) msg/s were acknowledged, at "
            + "p99 up to \($p99) ms a second: this machine could not sustain it now, so run 1 may start behind; "
            + "set WARMUP_RATE lower"
          else empty end
      end' "$work/warmup.json" >&2
fi

courier_rates=(); courier_p99=(); pg_rates=(); pg_counted_rates=(); gen_late=(); gen_from_sent=(); gen_cpu=(); ramp_stolen=(); pg_stolen=()
# pgbench_tps SCRIPT: transactions per second of SCRIPT, pool-size clients, PGBENCH_SECONDS.
pgbench_tps() {
  local tps
  tps="$("$pgbin/pgbench" -n -h 127.0.0.1 -p "$pgport" -U postgres -c "$pool" -j 2 -T "$pgbench_seconds" \
         -f "$1" postgres 2>&1 | grep -o 'tps = [0-9.]*' | head -1 | sed 's/tps = //')"
  printf "%.1f" "${tps:-0}"
}
# Each measurement starts from a finished checkpoint: a ramp writes about a gigabyte of WAL, and the checkpoint it
# sets off would otherwise still be writing during the pgbench run that follows, and slow it down.
checkpoint() { "${psql[@]}" -c 'CHECKPOINT'; }
for run in $(seq 1 "$runs"); do
  echo "bench: run $run/$runs: Courier ramp from $ramp_start msg/s x$ramp_factor every $ramp_step" >&2
  checkpoint
  ticks="$(cpu_ticks)"
  courier loadtest --url "http://127.0.0.1:$port" --scenario ramp --transport "$transport" --rate "$ramp_start" \
    --ramp-factor "$ramp_factor" --ramp-step "$ramp_step" --duration "$ramp_duration" --users "$users" \
    --max-messages "$max_messages" \
    --slo-p99 "$slo" --report-json "$work/ramp-$run.json" --report-html "$root/bench/ramp-$run.html" \
    >"$work/ramp-$run.log" 2>&1 || true
  ramp_stolen+=("$(stolen_percent "$ticks" "$(cpu_ticks)")")
  if [[ ! -s "$work/ramp-$run.json" ]]; then
    echo "bench: the ramp wrote no report:" >&2; tail -20 "$work/ramp-$run.log" >&2; exit 1
  fi
  basis="$(jq -r '.objectives.p99Basis' "$work/ramp-$run.json")"
  courier_rates+=("$(jq -r '.ramp.sustainedThroughput' "$work/ramp-$run.json")")
  courier_p99+=("$(jq -r '.ramp.p99AtHighestMs' "$work/ramp-$run.json")")
  # Whether the load generator, on the same cores, kept to its schedule where the ramp stopped passing.
  first_miss='.ramp.highestPassingRate as $h | [.ramp.steps[] | select((.passed | not) and .targetRate > $h)][0]'
  gen_late+=("$(jq -r "$first_miss | .generatorLateMs // 0" "$work/ramp-$run.json")")
  gen_from_sent+=("$(jq -r "$first_miss | .p99FromSentMs // -1" "$work/ramp-$run.json")")
  gen_cpu+=("$(jq -r '.generator.cpuCoresMedian' "$work/ramp-$run.json")")
  jq -r '.warnings[] | "bench: warning: " + .' "$work/ramp-$run.json" >&2

  # PostgreSQL alone, same instance, same rows: one INSERT per transaction, pool-size clients.
  "${psql[@]}" <<SQL
DROP TABLE IF EXISTS bench_messages;
DROP SEQUENCE IF EXISTS bench_seq;
CREATE TABLE bench_messages (LIKE messages INCLUDING ALL);
ALTER TABLE bench_messages ADD FOREIGN KEY (conversation_id) REFERENCES conversations (id),
                           ADD FOREIGN KEY (sender_id) REFERENCES users (id);
CREATE SEQUENCE bench_seq;
SQL
  max_conv="$("${psql[@]}" -At -c 'SELECT max(id) FROM conversations')"
  sender="$("${psql[@]}" -At -c 'SELECT min(id) FROM users')"
  cat >"$work/insert.sql" <<SQL
\set conv random(1, $max_conv)
INSERT INTO bench_messages (conversation_id, seq, sender_id, client_msg_id, body)
VALUES (:conv, nextval('bench_seq'), $sender, gen_random_uuid(), 'load bench message 0123456789');
SQL
  checkpoint
  ticks="$(cpu_ticks)"
  tps="$(pgbench_tps "$work/insert.sql")"
  pg_stolen+=("$(stolen_percent "$ticks" "$(cpu_ticks)")")
  pg_rates+=("$tps")

  # For context, not the target: one message per transaction the way a messaging service must store it with gapless
  # seqs (the conversation's counter, then the row), which is what Courier's batches replace.
  "${psql[@]}" <<SQL
TRUNCATE bench_messages;
DROP TABLE IF EXISTS bench_counters;
CREATE TABLE bench_counters AS SELECT id, 0::bigint AS last_seq FROM conversations;
ALTER TABLE bench_counters ADD PRIMARY KEY (id);
SQL
  cat >"$work/counted.sql" <<SQL
\set conv random(1, $max_conv)
BEGIN;
UPDATE bench_counters SET last_seq = last_seq + 1 WHERE id = :conv RETURNING last_seq \gset
INSERT INTO bench_messages (conversation_id, seq, sender_id, client_msg_id, body)
VALUES (:conv, :last_seq, $sender, gen_random_uuid(), 'load bench message 0123456789');
END;
SQL
  checkpoint
  counted="$(pgbench_tps "$work/counted.sql")"
  pg_counted_rates+=("$counted")
  printf 'bench: run %d: Courier %s msg/s at p99 %s ms (%s); PostgreSQL single INSERT %s tx/s, counter + INSERT %s tx/s\n' \
    "$run" "${courier_rates[-1]}" "${courier_p99[-1]}" "$basis" "$tps" "$counted" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v c="$1" -v p="$2" 'BEGIN { printf "%.2f", (p > 0 ? c / p : 0) }'; }
# Each run's ratio compares figures taken minutes apart on the same machine; PostgreSQL's own rate drifts by a quarter
# over a day here, so the median of those ratios is the figure to quote, the ratio of the medians only a cross-check.
run_ratios=(); run_counted_ratios=()
for i in "${!courier_rates[@]}"; do
  run_ratios+=("$(ratio "${courier_rates[$i]}" "${pg_rates[$i]}")")
  run_counted_ratios+=("$(ratio "${courier_rates[$i]}" "${pg_counted_rates[$i]}")")
done
c="$(median "${courier_rates[@]}")"; p="$(median "${pg_rates[@]}")"; l="$(median "${courier_p99[@]}")"
row() { printf '%-46s' "$1"; shift; printf ' %10s' "$@"; echo; }
echo
row "run" $(seq 1 "$runs")
row "Courier msg/s at p99 <= $slo ($basis, $transport)" "${courier_rates[@]}"
row "Courier p99 at that rate (ms)" "${courier_p99[@]}"
row "first missed step: generator late (ms)" "${gen_late[@]}"
row "  its p99 from the actual sends (ms)" "${gen_from_sent[@]}"
row "load generator CPU, median (cores)" "${gen_cpu[@]}"
row "  host CPU stolen by the hypervisor (%)" "${ramp_stolen[@]}"
row "PostgreSQL single-INSERT tx/s ($pool clients)" "${pg_rates[@]}"
row "  host CPU stolen by the hypervisor (%)" "${pg_stolen[@]}"
row "ratio in the run" "${run_ratios[@]}"
row "PostgreSQL counter UPDATE + INSERT tx/s" "${pg_counted_rates[@]}"
row "ratio to counter + INSERT in the run" "${run_counted_ratios[@]}"
echo
printf 'median ratio of the runs: %s (to counter + INSERT: %s)\n' "$(median "${run_ratios[@]}")" \
  "$(median "${run_counted_ratios[@]}")"
printf 'medians: Courier %s msg/s (p99 %s ms), PostgreSQL %s tx/s, ratio of the medians %s\n' "$c" "$l" "$p" \
  "$(ratio "$c" "$p")"
echo "reports: $root/bench/ramp-*.html"
