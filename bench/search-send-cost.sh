#!/usr/bin/env bash
# What the search index (messages_search_idx, V15__search_index.sql) costs the send path: the same batches of sends
# stored by append_messages, the statement Courier's message writers run, in three ways, alternating within one run on
# one private server's embedded PostgreSQL (bench/lib/server.sh), so that they are measured side by side on the same
# machine minutes apart:
#   merged  the index as Courier keeps it: its pending list (GIN's fast update) merged once a second off the send
#           path by the server's search.PendingWordsMerger, with the migration's 32 MB backstop
#           (V16__search_pending_list.sql);
#   inline  the index with PostgreSQL's defaults and nothing merging it (a session holds the merger's advisory lock):
#           the insert that finds the pending list over 4 MB merges all of it inside its own batch;
#   none    no search index at all.
# Bodies are real-sized: 3-20 words from the search bench's Zipf-like vocabulary (bench/lib/search-words.sql), not the
# load tester's three short tokens, which would understate the cost. Each measurement is one pgbench run of
# PGBENCH_SECONDS with CLIENTS clients, each transaction a batch of BATCH sends by members of random groups; printed
# per run: batches per second (times BATCH: messages the database stores per second), PostgreSQL's CPU per message
# (its processes' CPU time from /proc, the pgbench clients' backends and the merges included), and the batches'
# latency p99, p99.9 and worst (what a send queued behind a batch waits), then the medians.
#
#   bench/search-send-cost.sh
#   ROUNDS=5 BATCH=64 CLIENTS=2 MODES="merged inline" bench/search-send-cost.sh
#
# Bounded: setup (a few seconds), then ROUNDS x 3 pgbench runs of PGBENCH_SECONDS, plus one index build per round on
# a table of at most a few hundred thousand rows. Loopback only. Linux only (reads /proc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-4}"
batch="${BATCH:-32}"
clients="${CLIENTS:-2}"
seconds="${PGBENCH_SECONDS:-15}"
read -r -a modes <<<"${MODES:-merged inline none}"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
[[ -x "$pgbin/pgbench" ]] || bench_install_missing postgresql-client-15 postgresql-contrib
BENCH_PG="" bench_start_server courier-search-send 5
bench_preallocate_wal

echo "bench: 2,000 users in 2,000 groups of five, 20,000 bodies" >&2
"${psql[@]}" -v vocabulary=50000 -f "$root/bench/lib/search-words.sql" >/dev/null
"${psql[@]}" <<'SQL' >/dev/null
INSERT INTO users (username, display_name, password_hash)
SELECT 'sender' || g, 'Sender ' || g, 'x' FROM generate_series(1, 2000) g;
INSERT INTO conversations (type, title, owner_id)
SELECT 'group', 'Group ' || g, (SELECT min(id) FROM users WHERE username LIKE 'sender%') + g - 1
  FROM generate_series(1, 2000) g;
INSERT INTO memberships (conversation_id, user_id)
SELECT DISTINCT c.id, u.first + (c.id * 7 + k * 401) % 2000
  FROM conversations c, generate_series(0, 4) k, (SELECT min(id) AS first FROM users WHERE username LIKE 'sender%') u;
CREATE TABLE bench_members AS SELECT row_number() OVER () AS n, user_id, conversation_id FROM memberships;
CREATE UNIQUE INDEX ON bench_members (n);
CREATE TABLE bench_bodies AS SELECT g AS n, bench_body(g, 50000) AS body FROM generate_series(1, 20000) g;
CREATE UNIQUE INDEX ON bench_bodies (n);
ANALYZE;
SQL
members="$("${psql[@]}" -At -c 'SELECT count(*) FROM bench_members')"
index_definition="$("${psql[@]}" -At -c "SELECT pg_get_indexdef('messages_search_idx'::regclass)")"
cat >"$work/append.sql" <<SQL
WITH p AS (SELECT 1 + floor(random() * $members)::bigint AS m, 1 + floor(random() * 20000)::bigint AS b
             FROM generate_series(1, $batch)),
     a AS (SELECT array_agg(bm.user_id) AS s, array_agg(bm.conversation_id) AS c, array_agg(gen_random_uuid()) AS k,
                  array_agg(bb.body) AS t, array_agg(0::bigint) AS r
             FROM p JOIN bench_members bm ON bm.n = p.m JOIN bench_bodies bb ON bb.n = p.b)
SELECT count(*) FROM a, LATERAL append_messages(a.s, a.c, a.k, a.t, a.r, NULL, NULL);
SQL

hz="$(getconf CLK_TCK)"
postgres_ticks() {
  local total=0 pid postmaster
  postmaster="$(pgrep -f -- "-D $work/data/" | head -1)"
  for pid in $postmaster $(pgrep -P "$postmaster"); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# measure: prints "messages/s µs-per-message p99-ms p99.9-ms max-ms" for one pgbench run of the batch
measure() {
  local t0 t1 out tx
  "${psql[@]}" -c CHECKPOINT >/dev/null
  rm -f "$work"/pgbench_log.*
  t0="$(postgres_ticks)"
  out="$(cd "$work" && "$pgbin/pgbench" -n -M prepared -h 127.0.0.1 -p "$pgport" -U postgres -c "$clients" \
         -j "$clients" -T "$seconds" -l -f "$work/append.sql" postgres 2>&1)"
  t1="$(postgres_ticks)"
  tx="$(grep -o 'actually processed: [0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)"
  (( ${tx:-0} > 0 )) || { echo "bench: pgbench ran no batch: $out" >&2; exit 1; }
  read -r p99 p999 worst < <(cat "$work"/pgbench_log.* | awk '{print $3}' | sort -n |
    awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f\n", a[int(NR*0.99)]/1000, a[int(NR*0.999)]/1000, a[NR]/1000}')
  awk -v tx="$tx" -v b="$batch" -v s="$seconds" -v t="$((t1 - t0))" -v hz="$hz" \
    -v p99="$p99" -v p999="$p999" -v worst="$worst" \
    'BEGIN { printf "%.0f %.1f %s %s %s\n", tx * b / s, t * 1000000 / hz / (tx * b), p99, p999, worst }'
}
index_exists() { "${psql[@]}" -At -c "SELECT 1 FROM pg_indexes WHERE indexname = 'messages_search_idx'" | grep -q 1; }
# prepare MODE: the index as MODE has it
prepare() {
  case "$1" in
    none) ! index_exists || "${psql[@]}" -c "DROP INDEX messages_search_idx" >/dev/null ;;
    *)
      index_exists || "${psql[@]}" -c "$index_definition" >/dev/null
      if [[ "$1" == merged ]]; then
        "${psql[@]}" -c "ALTER INDEX messages_search_idx SET (gin_pending_list_limit = 32768)" >/dev/null
      else
        "${psql[@]}" -c "ALTER INDEX messages_search_idx RESET (gin_pending_list_limit)" >/dev/null
      fi
      "${psql[@]}" -At -c "SELECT gin_clean_pending_list('messages_search_idx'::regclass)" >/dev/null ;;
  esac
}
# The server merges the pending list itself (search.PendingWordsMerger), one merger at a time under an advisory lock:
# for the other modes a session holds that lock, and the server's merges are left undone, as if there were no merger.
merge_lock=8315159430931426669
hold_merges() {
  "${psql[@]}" -c "SELECT pg_advisory_lock($merge_lock)" -c "SELECT pg_sleep($seconds + 60)" >/dev/null 2>&1 &
  holder=$!
  until "${psql[@]}" -At -c "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted" | grep -q 1; do
    sleep 0.1
  done
}
release_merges() { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rates cpus p99s p999s worsts
printf '%-6s %-8s %12s %22s %10s %10s %10s\n' round mode "messages/s" "PostgreSQL µs/message" "p99 ms" "p99.9 ms" \
  "worst ms" >&2
for round in $(seq 1 "$rounds"); do
  # rotate which goes first, so that a drift of the machine during a round favours none
  order=("${modes[@]:$(( (round - 1) % ${#modes[@]} ))}" "${modes[@]:0:$(( (round - 1) % ${#modes[@]} ))}")
  for mode in "${order[@]}"; do
    prepare "$mode"
    [[ "$mode" == merged ]] || hold_merges
    read -r rate cpu p99 p999 worst < <(measure)
    [[ "$mode" == merged ]] || release_merges
    rates[$mode]+="$rate "; cpus[$mode]+="$cpu "; p99s[$mode]+="$p99 "; p999s[$mode]+="$p999 "
    worsts[$mode]+="$worst "
    printf '%-6s %-8s %12s %22s %10s %10s %10s\n' "$round" "$mode" "$rate" "$cpu" "$p99" "$p999" "$worst" >&2
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "append_messages, batches of $batch, $clients clients, ${seconds} s a run, $rounds rounds rotating; load average before $load_before, after $load_after ($(nproc) cores)"
echo
echo "| mode | messages/s (median) | PostgreSQL µs/message (median) | batch p99 ms | batch p99.9 ms | worst batch ms | runs, messages/s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for mode in "${modes[@]}"; do
  echo "| $mode | $(median "${rates[$mode]}") | $(median "${cpus[$mode]}") | $(median "${p99s[$mode]}") | $(median "${p999s[$mode]}") | $(median "${worsts[$mode]}") | ${rates[$mode]% } |"
done
