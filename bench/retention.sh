#!/usr/bin/env bash
# What a retention purge costs the senders: sends' latency (p99 send-to-ack and send-to-delivered, from `loadtest`)
# on a server with ROWS expired messages being turned into tombstones (`serve --retention 1d`), against the same server
# with retention off, alternating PAIRS times: off, on, off, on, ... Before each "on" run the database is topped up
# to ROWS messages two days old, spread over 100 filler groups the load test never touches; each run restarts the
# server, so every "on" run measures the first DURATION of a purge of ROWS messages. Prints each run's figures and how
# many messages the purge tombstoned during the run.
#
#   bench/retention.sh                                   # 1,000,000 expired messages, 200 msg/s, 60 s runs, 2 pairs
#   ROWS=100000 DURATION=20s PAIRS=1 bench/retention.sh  # a quick look
#
# Needs a PostgreSQL: BENCH_PG (default postgresql://postgres@127.0.0.1:5432), where it makes a database of its own and
# drops it at the end. Loopback only. Bounded: filling ROWS rows per "on" run (a minute or so per million here), then
# 2 x PAIRS x DURATION of load.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${ROWS:-1000000}"
rate="${RATE:-200}"
users="${USERS:-40}"
duration="${DURATION:-60s}"
pairs="${PAIRS:-2}"
export BENCH_PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}"

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench: please install jq" >&2; exit 1; }
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"

work="$(mktemp -d -t courier-retention.XXXXXX)"
server_pid=""
trap bench_cleanup EXIT
"$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
cp "$root/target/courier.jar" "$work/courier.jar"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
use_jdk
courier_jvm_opts serve
bench_external_database
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

start_server() {  # start_server [SERVE OPTION...]
  COURIER_RATE_LIMITS=off "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$work/courier.jar" serve --host 127.0.0.1 \
    --port "$port" --db-url "$bench_db_url" --password-hash-cost 1 "$@" >>"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server did not start:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "bench: the server was not ready within 2 minutes" >&2; exit 1
}
stop_server() {
  kill "$server_pid"
  for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  server_pid=""
}
sql() { "${psql[@]}" -At -c "$1"; }

# The schema comes from the server's migrations; then 100 filler groups of one owner, outside the load test's users.
start_server
stop_server
sql "INSERT INTO users (username, display_name, password_hash) VALUES ('retention-filler', 'filler', 'x')"
sql "INSERT INTO conversations (type, title, owner_id)
     SELECT 'group', 'retention filler ' || g, u.id FROM users u, generate_series(1, 100) g
     WHERE u.username = 'retention-filler'"
sql "INSERT INTO memberships (conversation_id, user_id)
     SELECT c.id, c.owner_id FROM conversations c WHERE c.title LIKE 'retention filler %'"

top_up() {  # tops the live expired messages up to $rows
  local live missing per
  live="$(sql "SELECT count(*) FROM messages WHERE deleted_at IS NULL AND created_at < now() - interval '1 day'")"
  missing=$((rows - live))
  (( missing > 0 )) || return 0
  per=$(( (missing + 99) / 100 ))
  echo "bench: adding $((per * 100)) messages two days old" >&2
  sql "INSERT INTO messages (conversation_id, seq, sender_id, client_msg_id, body, created_at)
       SELECT c.id, c.last_seq + g, c.owner_id, gen_random_uuid(), 'an old message, number ' || g,
              now() - interval '2 days' FROM conversations c, generate_series(1, $per) g
       WHERE c.title LIKE 'retention filler %'" >/dev/null
  sql "UPDATE conversations SET last_seq = last_seq + $per WHERE title LIKE 'retention filler %'" >/dev/null
  sql "VACUUM ANALYZE messages" >/dev/null
  # the fill's dirty pages written out now, not during the run that follows
  sql "CHECKPOINT" >/dev/null
}
tombstones() { sql "SELECT count(*) FROM messages WHERE deleted_at IS NOT NULL"; }

results=()
run() {  # run LABEL [SERVE OPTION...]
  local label="$1" before after stolen_from stolen_to
  shift
  start_server "$@"
  before="$(tombstones)"
  stolen_from="$(cpu_ticks)"
  "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$work/courier.jar" loadtest --url "http://127.0.0.1:$port" \
    --rate "$rate" --users "$users" --duration "$duration" --slo-p99 1s \
    --report-json "$work/$label.json" --report-html "$work/$label.html" >"$work/$label.log" 2>&1 || true
  stolen_to="$(cpu_ticks)"
  after="$(tombstones)"
  stop_server
  if [[ ! -s "$work/$label.json" ]]; then
    results+=("$label	no report: $(tail -1 "$work/$label.log")	purged $((after - before))")
    echo "bench: ${results[-1]}" >&2
    return 0
  fi
  results+=("$(jq -r --arg name "$label" --arg purged "$((after - before))" --arg stolen \
    "$(stolen_percent "$stolen_from" "$stolen_to")" \
    '"\($name)\tacked \(.acked)\tfailed \(.failed)\tack p50/p99 \(.sendToAck.p50)/\(.sendToAck.p99) ms\tdelivered p99 \(.sendToDelivered.p99) ms\tpurged \($purged)\tstolen \($stolen)%"' \
    "$work/$label.json")")
  echo "bench: ${results[-1]}" >&2
}

for pair in $(seq 1 "$pairs"); do
  run "off-$pair"
  top_up
  run "on-$pair" --retention 1d
done
printf '%s\n' "${results[@]}"
