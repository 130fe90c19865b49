#!/usr/bin/env bash
# What PostgreSQL spends per stored message, by how it is stored: Courier's `append_messages` (a batch of BATCH
# sends by members: the idempotency check, the membership check, the counters, the rows, the answer), a plain
# multi-row INSERT of the same rows into a copy of `messages` (same indexes and foreign keys: the floor for a batch
# that skips every check), and one INSERT per transaction (bench/throughput.sh's baseline). One pgbench client,
# prepared statements, PGBENCH_SECONDS each, ROUNDS rounds; PostgreSQL's CPU (postmaster and backends, exited ones
# included) is read from /proc. The rows come from a short load test against a private server, which stays idle
# while pgbench runs.
#
#   bench/append-cost.sh
#   BATCH=8 ROUNDS=3 bench/append-cost.sh
#
# Bounded: a 15 s load test, then 3 x ROUNDS pgbench runs of PGBENCH_SECONDS; loopback only. Linux only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
batch="${BATCH:-32}"
rounds="${ROUNDS:-2}"
seconds="${PGBENCH_SECONDS:-10}"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
[[ -x "$pgbin/pgbench" ]] || { echo "bench: please install postgresql-client-15 postgresql-contrib" >&2; exit 1; }
bench_start_server courier-append 5

echo "bench: a 15 s load test to create users, conversations and messages" >&2
courier loadtest --url "http://127.0.0.1:$port" --transport socket --rate 2000 --duration 15s --users 60 \
  --report-json "$work/load.json" --report-html "$work/load.html" >"$work/load.log" 2>&1 || true

"${psql[@]}" <<SQL
CREATE TABLE bench_messages (LIKE messages INCLUDING ALL);
ALTER TABLE bench_messages ADD FOREIGN KEY (conversation_id) REFERENCES conversations (id),
                           ADD FOREIGN KEY (sender_id) REFERENCES users (id);
CREATE SEQUENCE bench_seq;
CREATE TABLE bench_members AS SELECT user_id, conversation_id FROM memberships;
SQL
sender="$("${psql[@]}" -At -c 'SELECT min(id) FROM users')"
max_conv="$("${psql[@]}" -At -c 'SELECT max(id) FROM conversations')"
body="'load bench message 0123456789'"
# BATCH random (member, conversation) pairs, as a writer's batch would hold them.
pairs="SELECT user_id, conversation_id FROM bench_members ORDER BY random() LIMIT $batch"
cat >"$work/pairs.sql" <<SQL
SELECT count(*) FROM ($pairs) p;
SQL
cat >"$work/append.sql" <<SQL
WITH p AS ($pairs),
     a AS (SELECT array_agg(user_id) AS s, array_agg(conversation_id) AS c, array_agg(gen_random_uuid()) AS k,
                  array_agg($body::text) AS t, array_agg(0::bigint) AS r FROM p)
SELECT count(*) FROM a, LATERAL append_messages(a.s, a.c, a.k, a.t, a.r, NULL, NULL);
SQL
cat >"$work/multirow.sql" <<SQL
INSERT INTO bench_messages (conversation_id, seq, sender_id, client_msg_id, body)
SELECT conversation_id, nextval('bench_seq'), user_id, gen_random_uuid(), $body FROM ($pairs) p;
SQL
cat >"$work/single.sql" <<SQL
\set conv random(1, $max_conv)
INSERT INTO bench_messages (conversation_id, seq, sender_id, client_msg_id, body)
VALUES (:conv, nextval('bench_seq'), $sender, gen_random_uuid(), $body);
SQL

hz="$(getconf CLK_TCK)"
# CPU ticks of the postmaster and its processes; exited backends (pgbench's) count in the postmaster's cutime.
postgres_ticks() {
  local total=0 pid postmaster
  postmaster="$(pgrep -f -- "-D $work/data" | head -1)"
  for pid in $postmaster $(pgrep -P "$postmaster"); do
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# run SCRIPT ROWS_PER_TX: prints PostgreSQL CPU µs per transaction.
run() {
  local t0 t1 tx
  "${psql[@]}" -c CHECKPOINT
  t0="$(postgres_ticks)"
  tx="$("$pgbin/pgbench" -n -M prepared -h 127.0.0.1 -p "$pgport" -U postgres -c 1 -j 1 -T "$seconds" -f "$1" postgres \
        2>&1 | grep -o 'actually processed: [0-9]*' | grep -o '[0-9]*$')"
  t1="$(postgres_ticks)"
  (( ${tx:-0} > 0 )) || { echo "bench: pgbench ran no transaction of $1" >&2; exit 1; }
  echo $(( (t1 - t0) * 1000000 / hz / tx ))
}

printf '%-5s %28s %28s %24s\n' round "append_messages (µs/row)" "multi-row INSERT (µs/row)" "one INSERT per tx (µs)"
for round in $(seq 1 "$rounds"); do
  picking="$(run "$work/pairs.sql")"   # choosing the pairs, subtracted from both batch figures
  append="$(run "$work/append.sql")"
  multirow="$(run "$work/multirow.sql")"
  single="$(run "$work/single.sql")"
  printf '%-5s %28s %28s %24s\n' "$round" \
    "$(awk -v a="$append" -v p="$picking" -v n="$batch" 'BEGIN { printf "%.1f", (a - p) / n }')" \
    "$(awk -v a="$multirow" -v p="$picking" -v n="$batch" 'BEGIN { printf "%.1f", (a - p) / n }')" "$single"
done
echo "(batches of $batch rows; one pgbench client; PostgreSQL CPU only, commit included)"
