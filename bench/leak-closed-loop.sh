#!/usr/bin/env bash
# REST sends from CLIENTS closed-loop clients (wrk: each sends its next message when the last is answered) while a
# share of all requests leaks a database connection (fault injection's leakRate, LEAK_RATE): how many sends still
# succeed, how many leaks were reported and taken back, and how many connections the pool had to open meanwhile.
# First WARMUP without faults, then DURATION with the leak. One user sends into one direct conversation.
#
#   bench/leak-closed-loop.sh                       # 30 clients, 5% leaking, 20 s, PostgreSQL at 127.0.0.1:5432
#   CLIENTS=100 LEAK_RATE=0.2 bench/leak-closed-loop.sh
#   BENCH_PG= bench/leak-closed-loop.sh             # an embedded PostgreSQL instead
#
# Loopback only; bounded by wrk's --duration.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${CLIENTS:-30}"
leak_rate="${LEAK_RATE:-0.05}"
duration="${DURATION:-20s}"
warmup="${WARMUP:-10s}"
pool="${POOL_SIZE:-5}"
export BENCH_PG="${BENCH_PG-postgresql://postgres@127.0.0.1:5432}"
admin="bench-admin-token-$RANDOM$RANDOM"
export BENCH_SERVE_ARGS="--enable-fault-injection --admin-token $admin"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
bench_install_missing "${need[@]}"
bench_start_server courier-leak "$pool"
api="http://127.0.0.1:$port"

post() { curl -fsS -X POST "$api$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
for user in sender peer; do
  post /v1/accounts "{\"username\": \"$user\", \"password\": \"correct horse battery\"}" >/dev/null
done
token="$(post /v1/sessions '{"username": "sender", "password": "correct horse battery"}' | jq -r .token)"
peer="$(curl -fsS "$api/v1/users/peer" -H "Authorization: Bearer $token" | jq -r .id)"
conversation="$(post /v1/conversations "{\"type\": \"direct\", \"members\": [$peer]}" "$token" | jq -r .id)"
faults() { curl -fsS -X PUT "$api/v1/admin/faults" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d "{\"leakRate\": $1}" >/dev/null; }
metric() { curl -fsS "$api/metrics" | awk -v name="$1" -v label="$2" \
  'index($0, name) == 1 && (label == "" || index($0, label) > 0) { sum += $NF } END { printf "%d\n", sum }'; }
# sends STATUS: REST sends answered so far with STATUS (every status when empty)
sends() { metric 'courier_http_server_requests_seconds_count{method="POST",route="/v1/conversations/{id}/messages"' "status=\"$1"; }
wrk_run() { TOKEN="$token" CONV="$conversation" wrk -t2 -c"$clients" -d"$1" -s "$root/bench/lib/rest-send.lua" "$api"; }

echo "bench: $clients closed-loop clients, warming up for $warmup without faults" >&2
wrk_run "$warmup" >/dev/null
ok0="$(sends 201)"; all0="$(sends '')"
leaks0="$(metric courier_db_pool_leaks_suspected_total '')"; reclaimed0="$(metric courier_db_pool_leaks_reclaimed_total '')"
opened0="$(metric hikaricp_connections_creation_seconds_count '')"
echo "bench: leakRate $leak_rate for $duration" >&2
faults "$leak_rate"
wrk_run "$duration" >"$work/wrk.txt"
faults 0
ok=$(( $(sends 201) - ok0 ))
all=$(( $(sends '') - all0 ))
leaks=$(( $(metric courier_db_pool_leaks_suspected_total '') - leaks0 ))
reclaimed=$(( $(metric courier_db_pool_leaks_reclaimed_total '') - reclaimed0 ))
opened=$(( $(metric hikaricp_connections_creation_seconds_count '') - opened0 ))
printf '%-8s %-9s %-8s %-10s %-9s %-7s %-10s %s\n' clients leakRate sends succeeded success leaks reclaimed \
  "connections opened"
printf '%-8s %-9s %-8s %-10s %-9s %-7s %-10s %s\n' "$clients" "$leak_rate" "$all" "$ok" \
  "$(python3 -c "print(f'{100 * $ok / max(1, $all):.2f}%')")" "$leaks" "$reclaimed" "$opened"
grep -E "Requests/sec" "$work/wrk.txt" >&2
