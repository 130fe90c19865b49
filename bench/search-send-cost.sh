#!/usr/bin/env bash
# What the search index (messages_search_idx, V15__search_index.sql) costs the send path: the same batches of sends
# stored by append_messages, the statement Courier's message writers run, with the index and without it, alternating
# within one run on one private server's embedded PostgreSQL (bench/lib/server.sh), so that the two are measured side
# by side on the same machine minutes apart. Bodies are real-sized: 3-20 words from the search bench's Zipf-like
# vocabulary (bench/lib/search-words.sql), not the load tester's three short tokens, which would understate the cost.
# Each measurement is one pgbench run of PGBENCH_SECONDS with CLIENTS clients, each transaction a batch of BATCH sends
# by members of random groups; printed per run: batches per second (times BATCH: messages the database stores per
# second) and PostgreSQL's CPU per message (its processes' CPU time from /proc, the pgbench clients' backends
# included), then the medians and their ratios.
#
#   bench/search-send-cost.sh
#   ROUNDS=5 BATCH=64 CLIENTS=2 bench/search-send-cost.sh
#
# Bounded: setup (a few seconds), then 2 x ROUNDS pgbench runs of PGBENCH_SECONDS, plus one index build per round on
# a table of at most a few hundred thousand rows. Loopback only. Linux only (reads /proc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${ROUNDS:-4}"
batch="${BATCH:-32}"
clients="${CLIENTS:-2}"
seconds="${PGBENCH_SECONDS:-15}"

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
# measure: prints "messages/s µs-per-message" for one pgbench run of the batch
measure() {
  local t0 t1 out tx
  "${psql[@]}" -c CHECKPOINT
  t0="$(postgres_ticks)"
  out="$("$pgbin/pgbench" -n -M prepared -h 127.0.0.1 -p "$pgport" -U postgres -c "$clients" -j "$clients" \
         -T "$seconds" -f "$work/append.sql" postgres 2>&1)"
  t1="$(postgres_ticks)"
  tx="$(grep -o 'actually processed: [0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)"
  (( ${tx:-0} > 0 )) || { echo "bench: pgbench ran no batch: $out" >&2; exit 1; }
  awk -v tx="$tx" -v b="$batch" -v s="$seconds" -v t="$((t1 - t0))" -v hz="$hz" \
    'BEGIN { printf "%.0f %.1f\n", tx * b / s, t * 1000000 / hz / (tx * b) }'
}
with_index() { "${psql[@]}" -c "$index_definition"; }
without_index() { "${psql[@]}" -c "DROP INDEX messages_search_idx"; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -a with_rate with_cpu without_rate without_cpu
printf '%-6s %-14s %14s %22s\n' round index "messages/s" "PostgreSQL µs/message" >&2
for round in $(seq 1 "$rounds"); do
  # alternate which goes first, so that a drift of the machine during a round favours neither
  if (( round % 2 )); then order=(with without); else order=(without with); fi
  for mode in "${order[@]}"; do
    if [[ "$mode" == with ]]; then
      "${psql[@]}" -At -c "SELECT 1 FROM pg_indexes WHERE indexname = 'messages_search_idx'" | grep -q 1 || with_index
    else
      without_index
    fi
    read -r rate cpu < <(measure)
    if [[ "$mode" == with ]]; then with_rate+=("$rate"); with_cpu+=("$cpu"); else without_rate+=("$rate"); without_cpu+=("$cpu"); fi
    printf '%-6s %-14s %14s %22s\n' "$round" "$mode" "$rate" "$cpu" >&2
    [[ "$mode" == with ]] || with_index
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wr="$(median "${with_rate[@]}")"; wor="$(median "${without_rate[@]}")"
wc="$(median "${with_cpu[@]}")"; woc="$(median "${without_cpu[@]}")"
echo
echo "append_messages, batches of $batch, $clients clients, ${seconds} s a run, $rounds rounds alternating; load average before $load_before, after $load_after ($(nproc) cores)"
echo
echo "| | with the search index | without | ratio |"
echo "| --- | --- | --- | --- |"
echo "| messages stored per second (median) | $wr | $wor | $(awk -v a="$wr" -v b="$wor" 'BEGIN { printf "%.2f", a / b }') |"
echo "| PostgreSQL CPU per message, µs (median) | $wc | $woc | $(awk -v a="$wc" -v b="$woc" 'BEGIN { printf "%.2f", a / b }') |"
echo "| runs, messages/s | ${with_rate[*]} | ${without_rate[*]} | |"
echo "| runs, µs/message | ${with_cpu[*]} | ${without_cpu[*]} | |"
