#!/usr/bin/env bash
# Courier on a year of data beside Courier on an empty database: the same server build and the same measurements, one
# after the other, each on a database of its own on an external PostgreSQL (BENCH_PG), so that what differs is only
# what a year of use leaves behind.
#   empty  the probe set alone (bench/lib/dataset-probe.sql: the users and conversations the reads are timed with)
#   year   USERS users, CONVERSATIONS conversations (direct, and groups of 3-200 with a long tail) and MESSAGES
#          messages with a long-tailed distribution per conversation, read markers and sessions
#          (bench/lib/year-fill.sql, set-based INSERT ... SELECT inside PostgreSQL: no row crosses the wire), then the
#          same probe set
# On each, with one server started on it (bench/lib/server.sh):
#   reads   p50/p99 over SAMPLES requests of one client on loopback (bench/lib/DatasetReads.java): login; the first
#           page of the conversation list with unread counts for a user in 20, 500 and 5,000 conversations; the newest
#           and the oldest page of history (a 50,000-message conversation, and on the year each of the SPREAD (200)
#           busiest conversations once); the stream's ready for a user in 20, 500 and 5,000 conversations; a
#           reconnect that opens the stream, waits for ready, lists and catches up 1,000 missed messages
#   plans   EXPLAIN (ANALYZE, BUFFERS) of the SQL behind those reads (bench/lib/dataset-plans.sql)
#   sends   the sustained rate at p99 <= SLO_P99 (`loadtest --scenario ramp` over the socket, after a warm-up)
#   schema  the time of ALTER TABLE messages ADD COLUMN: without a default, with a constant default, and (REWRITE=1)
#           with a volatile one, which rewrites the table; each column dropped again
# SENDS=0 and SCHEMA=0 leave out the ramp and the ALTERs (to time the reads again, e.g. with COURIER_JAR=another build).
# Prints a table of the two side by side; the reads, plans and ramp reports are kept in OUT (target/dataset).
#
#   bench/dataset.sh                                         # the full year: 100,000 users, 500,000 conversations,
#                                                            # 20,000,000 messages (a fill of hours on a 2-core box)
#   USERS=10000 CONVERSATIONS=50000 MESSAGES=1000000 bench/dataset.sh    # a twentieth of the messages
#   SIDES=year KEEP=1 MESSAGES=... bench/dataset.sh          # one side, its database kept (and reused by the next
#                                                            # run of the same sizes)
#
# Databases: courier_dataset_empty and courier_dataset_<MESSAGES> on BENCH_PG (postgresql://postgres@127.0.0.1:5432),
# dropped at the end unless KEEP=1. Bounded: the fill is a fixed number of set-based statements, each printed with its
# time as it ends; the reads are SAMPLES requests per case; the ramp stops by the load tester's ramp rule or after
# RAMP_DURATION.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
users="${USERS:-100000}"
conversations="${CONVERSATIONS:-500000}"
messages="${MESSAGES:-20000000}"
history_messages="${HISTORY_MESSAGES:-50000}"
samples="${SAMPLES:-200}"
spread_count="${SPREAD:-200}"
sides="${SIDES:-empty year}"
pool="${POOL_SIZE:-5}"
load_users="${LOAD_USERS:-60}"
warmup="${WARMUP:-45s}"
warmup_rate="${WARMUP_RATE:-4000}"
ramp_start="${RAMP_START:-3000}"
ramp_factor="${RAMP_FACTOR:-1.1}"
ramp_step="${RAMP_STEP:-10s}"
ramp_duration="${RAMP_DURATION:-180s}"
slo="${SLO_P99:-50ms}"
rewrite="${REWRITE:-1}"
sends="${SENDS:-1}"
schema="${SCHEMA:-1}"
out="${OUT:-$root/target/dataset}"
password="dataset-bench-password"
export BENCH_PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}"
(( users >= 2 || (conversations == 0 && messages == 0) )) || { echo "bench: USERS must be at least 2" >&2; exit 2; }

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
bench_install_missing "${need[@]}"
mkdir -p "$out"
admin_url="${BENCH_PG%/}/postgres"
made=()

finish() {
  bench_cleanup
  if [[ "${KEEP:-0}" != 1 ]]; then
    for db in ${made[@]+"${made[@]}"}; do
      "$pgbin/psql" -X -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >&2 || true
    done
  fi
}
trap finish EXIT
loadavg() { echo "$1: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/$side-loadavg.txt"; }

# side NAME USERS CONVERSATIONS MESSAGES: fills (or reuses) the side's database, starts a server on it and measures.
side() {
  side="$1"
  local u="$2" c="$3" m="$4"
  export BENCH_DATABASE="courier_dataset_$side"
  made+=("$BENCH_DATABASE")
  : >"$out/$side-loadavg.txt"
  local filled
  filled="$("$pgbin/psql" -X -At "${BENCH_PG%/}/$BENCH_DATABASE" \
             -c "SELECT users || ' ' || conversations || ' ' || messages FROM bench_dataset_fill" 2>/dev/null || true)"
  local fill=1
  if [[ "$filled" == "$u $c $m" ]]; then
    echo "bench: $BENCH_DATABASE already holds $u users, $c conversations, $m messages" >&2
    fill=0
  else
    "$pgbin/psql" -X -q "$admin_url" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $BENCH_DATABASE WITH (FORCE)" >&2
  fi
  bench_start_server "courier-dataset-$side" "$pool"
  trap finish EXIT
  local api="http://127.0.0.1:$port"

  if (( fill )); then
    # One account made by the API gives the password hash every generated user gets, so that any of them can log in.
    curl -fsS -o /dev/null -X POST "$api/v1/accounts" -H 'Content-Type: application/json' \
      -d "{\"username\": \"datasetpassword\", \"password\": \"$password\"}"
    local hash started=$SECONDS
    hash="$("${psql[@]}" -At -c "SELECT password_hash FROM users WHERE username = 'datasetpassword'")"
    echo "bench: $side: filling $BENCH_DATABASE: $u users, $c conversations, $m messages" >&2
    loadavg "fill start"
    stdbuf -oL "${psql[@]}" -v users="$u" -v conversations="$c" -v messages="$m" -v vocabulary=50000 \
      -v group_max=200 -v message_tail=3 -v password_hash="$hash" -f "$root/bench/lib/year-fill.sql" |
      grep --line-buffered -v '^$' | tee "$out/$side-fill.log" >&2
    local year_seconds=$((SECONDS - started))
    loadavg "fill end"
    "${psql[@]}" -v password_hash="$hash" -v history_messages="$history_messages" \
      -f "$root/bench/lib/dataset-probe.sql" >/dev/null
    "${psql[@]}" -c "CREATE TABLE bench_dataset_fill AS SELECT $u AS users, $c AS conversations, $m::bigint AS messages,
                     $year_seconds AS seconds, $((SECONDS - started)) AS with_probe_seconds"
    echo "bench: $side: filled in $((SECONDS - started)) s (the year's part $year_seconds s)" >&2
  fi
  "${psql[@]}" -At -F $'\t' -c "SELECT 'fill (s): the year, then the probe set', seconds || ', ' || with_probe_seconds - seconds
                                  FROM bench_dataset_fill" >"$out/$side-fill-seconds.tsv"
  "${psql[@]}" -At -F $'\t' -c "
    SELECT 'messages', count(*) FROM messages UNION ALL
    SELECT 'conversations', count(*) FROM conversations UNION ALL
    SELECT 'memberships', count(*) FROM memberships UNION ALL
    SELECT 'users', count(*) FROM users UNION ALL
    SELECT 'sessions', count(*) FROM sessions UNION ALL
    SELECT 'busiest conversation (messages)', max(last_seq) FROM conversations UNION ALL
    SELECT 'largest group (members)', max(n) FROM (SELECT count(*) AS n FROM memberships GROUP BY conversation_id) g UNION ALL
    SELECT 'database size (MB)', pg_database_size(current_database()) / 1048576 UNION ALL
    SELECT 'messages table (MB)', pg_table_size('messages') / 1048576 UNION ALL
    SELECT 'messages indexes (MB)', pg_indexes_size('messages') / 1048576" >"$out/$side-sizes.tsv"
  # The invariants the fill promises, checked rather than trusted: gapless seqs, counters, read markers, senders.
  "${psql[@]}" -At -F $'\t' -c "
    SELECT 'conversations whose seqs are not 1..last_seq', count(*) FROM conversations c
      LEFT JOIN (SELECT conversation_id, count(*) AS n, max(seq) AS last FROM messages GROUP BY conversation_id) x
        ON x.conversation_id = c.id
     WHERE c.last_seq <> coalesce(x.n, 0) OR c.last_seq <> coalesce(x.last, 0) UNION ALL
    SELECT 'read markers past last_seq', count(*) FROM memberships m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.read_seq > c.last_seq UNION ALL
    SELECT 'messages whose sender is not a member', count(*) FROM (SELECT * FROM messages TABLESAMPLE SYSTEM (1)) x
     WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.conversation_id = x.conversation_id AND m.user_id = x.sender_id)" \
    >"$out/$side-invariants.tsv"
  awk -F'\t' -v s="$side" '$2 != 0 { print "bench: " s ": " $1 ": " $2; bad = 1 } END { exit bad }' \
    "$out/$side-invariants.tsv" >&2

  # Reads, before any send adds to the database.
  # The busiest conversations of the year, each with the token of a session of one of its members
  # (year-fill.sql's tokens: bench-session-<n>-1 for user bench<n>), for reads spread over them.
  local spread=()
  if (( m > 0 )); then
    "${psql[@]}" -At -F $'\t' -c "
      SELECT c.id, 'bench-session-' || substr(u.username, 6) || '-1'
        FROM (SELECT id FROM conversations WHERE created_at < now() - interval '365 days'   -- the year's own
               ORDER BY last_seq DESC LIMIT $spread_count) c
       CROSS JOIN LATERAL (SELECT u.username FROM memberships x JOIN users u ON u.id = x.user_id
                            WHERE x.conversation_id = c.id AND u.username LIKE 'bench%' ORDER BY u.id LIMIT 1) u" \
      >"$out/$side-spread.tsv"
    spread=("$out/$side-spread.tsv")
  fi
  "${psql[@]}" -c 'CHECKPOINT'
  loadavg "reads"
  echo "bench: $side: reads, $samples samples each" >&2
  ${client_pin[@]+"${client_pin[@]}"} "$JAVA_HOME/bin/java" -cp "$work/courier.jar" "$root/bench/lib/DatasetReads.java" \
    "$api" "$samples" "$password" ${spread[@]+"${spread[@]}"} | tee "$out/$side-reads.tsv" >&2
  loadavg "reads end"
  local ids
  ids="$("${psql[@]}" -At -F ' ' -c "
    SELECT (SELECT id FROM users WHERE username = 'probe20'), (SELECT id FROM users WHERE username = 'probe500'),
           (SELECT id FROM users WHERE username = 'probe5000'), c.id, c.last_seq
      FROM conversations c WHERE c.title = 'probe probehistory 1'")"
  read -r p20 p500 p5000 history history_last <<<"$ids"
  "${psql[@]}" -v probe20="$p20" -v probe500="$p500" -v probe5000="$p5000" -v history="$history" \
    -v history_last="$history_last" -f "$root/bench/lib/dataset-plans.sql" >"$out/$side-plans.txt" 2>&1

  (( sends )) && measure_sends
  (( schema )) && measure_schema
  loadavg "end"
  bench_cleanup
  trap finish EXIT
}

# measure_sends: a warm-up, then the ramp.
measure_sends() {
  "${psql[@]}" -c 'CHECKPOINT'
  loadavg "warm-up"
  echo "bench: $side: warming up for $warmup at $warmup_rate msg/s, then a ramp from $ramp_start msg/s" >&2
  courier loadtest --url "$api" --transport socket --rate "$warmup_rate" --duration "$warmup" --users "$load_users" \
    --report-json "$work/warmup.json" --report-html "$work/warmup.html" >"$work/warmup.log" 2>&1 || true
  "${psql[@]}" -c 'CHECKPOINT'
  loadavg "ramp"
  courier loadtest --url "$api" --scenario ramp --transport socket --rate "$ramp_start" --ramp-factor "$ramp_factor" \
    --ramp-step "$ramp_step" --duration "$ramp_duration" --users "$load_users" --max-messages 3000000 \
    --slo-p99 "$slo" --report-json "$out/$side-ramp.json" --report-html "$out/$side-ramp.html" \
    >"$work/ramp.log" 2>&1 || true
  loadavg "ramp end"
  [[ -s "$out/$side-ramp.json" ]] || { echo "bench: the ramp wrote no report:" >&2; tail -20 "$work/ramp.log" >&2; exit 1; }
  jq -r --arg slo "$slo" '"sends: msg/s at p99 <= \($slo) (p99 there, ms)\t\(.ramp.sustainedThroughput) (\(.ramp.p99AtHighestMs))"' \
    "$out/$side-ramp.json" >"$out/$side-ramp.tsv"
  jq -r '.warnings[] | "bench: warning: " + .' "$out/$side-ramp.json" >&2
}

# measure_schema: a new column on the messages table, timed by psql, each dropped again.
measure_schema() {
  loadavg "alter"
  local alters=("ADD COLUMN bench_plain text" "ADD COLUMN bench_constant text NOT NULL DEFAULT 'x'")
  (( rewrite )) && alters+=("ADD COLUMN bench_volatile timestamptz NOT NULL DEFAULT clock_timestamp()")
  : >"$out/$side-alter.tsv"
  for alter in "${alters[@]}"; do
    local column ms
    column="$(awk '{ print $3 }' <<<"$alter")"
    ms="$("${psql[@]}" -c '\timing on' -c "ALTER TABLE messages $alter" | grep -o 'Time: [0-9.]*' | head -1 | cut -d' ' -f2)"
    printf 'ALTER TABLE messages %s (ms)\t%s\n' "$alter" "$ms" >>"$out/$side-alter.tsv"
    "${psql[@]}" -c "ALTER TABLE messages DROP COLUMN $column"
  done
}

for s in $sides; do
  case "$s" in
    empty) side empty 0 0 0 ;;
    year) side "$messages" "$users" "$conversations" "$messages" ;;
    *) echo "bench: unknown side $s (empty, year)" >&2; exit 2 ;;
  esac
done

# The table: one column per side.
names=()
for s in $sides; do [[ "$s" == empty ]] && names+=(empty) || names+=("$messages"); done
# cell FILE KEY FIELD: FIELD of the line of FILE (in OUT) whose first field is KEY, or "-"
cell() { awk -F'\t' -v k="$2" -v f="$3" '$1 == k { print $f; found = 1 } END { if (!found) print "-" }' "$out/$1" 2>/dev/null || echo -; }
# keys FILE: the first fields of FILE's lines, in order
keys() { cut -f1 "$out/$1" 2>/dev/null || true; }
echo
printf '| measure |'; for n in "${names[@]}"; do printf ' %s |' "$([[ $n == empty ]] && echo "empty database" || echo "$n messages")"; done; echo
printf '| --- |'; for _ in "${names[@]}"; do printf ' --- |'; done; echo
last="${names[-1]}"
for file in sizes.tsv fill-seconds.tsv ramp.tsv reads.tsv alter.tsv; do
  mapfile -t ks < <(keys "$last-$file")
  for key in ${ks[@]+"${ks[@]}"}; do
    if [[ "$file" == reads.tsv ]]; then printf '| %s: p50 / p99 ms |' "$key"; else printf '| %s |' "$key"; fi
    for n in "${names[@]}"; do
      if [[ "$file" == reads.tsv ]]; then
        c50="$(cell "$n-$file" "$key" 3)"; c99="$(cell "$n-$file" "$key" 4)"
        printf ' %s |' "$([[ $c50 == - ]] && echo - || echo "$c50 / $c99")"
      else
        printf ' %s |' "$(cell "$n-$file" "$key" 2)"
      fi
    done; echo
  done
done
echo
for n in "${names[@]}"; do echo "load average ($n):"; sed 's/^/  /' "$out/$n-loadavg.txt"; done
echo "plans: $out/*-plans.txt; ramp reports: $out/*-ramp.html"
