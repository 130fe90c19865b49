#!/usr/bin/env bash
# Full-text search (GET /v1/search) at a year of data: fills a database on an external PostgreSQL with SCALE x
# (100,000 users, 500,000 conversations, 10,000,000 messages; bodies of 3-20 words from a 50,000-word vocabulary with
# a Zipf-like frequency curve; bench/lib/search-fill.sql, the year of bench/lib/year-fill.sql with groups of 3-20),
# starts Courier on it (bench/lib/server.sh) and measures the endpoint's latency, p50 and p99 over SAMPLES requests
# per case, as a client sees it (curl's total time on loopback), for a user in 50 and a user in 2,000 conversations:
#   very common word  one of the three most frequent words (each in about a third to a half of all messages)
#   common word       ranks 20-60 of the vocabulary (each in 1-5% of messages)
#   middling word     ranks 300-1,000 (each in 0.1-0.3% of messages: too common to read all its matches cheaply,
#                     too rare for a page to fill among the newest messages)
#   rare word         a word of rank 3,000 or more that occurs in the user's conversations (a few hundred messages)
#   phrase            two words in a row, in quotes, taken from a message of the user's conversations
#   one conversation  a common word with conversationId, in the user's busiest conversation
#   next page         the common-word search's second page (its cursor)
# Then, unless SEND_COST=0, bench/search-send-cost.sh: the index's cost on the send path.
#
#   bench/search.sh                            # the full year; its fill takes about an hour on a busy 2-core box
#                                              # (SCALE=0.5 took 27 minutes there)
#   SCALE=0.1 SAMPLES=100 bench/search.sh      # a tenth of it
#   BENCH_PG=postgresql://postgres@127.0.0.1:5432 BENCH_DATABASE=courier_search_bench bench/search.sh   # the defaults
#
# The filled database is kept (BENCH_DATABASE) and reused by the next run of the same SCALE; another SCALE fills it
# anew. Bounded: the fill is a fixed number of set-based statements, each printed with its time as it ends; the
# measurement is SAMPLES requests per case and user.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scale="${SCALE:-1}"
samples="${SAMPLES:-200}"
export BENCH_PG="${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}"
export BENCH_DATABASE="${BENCH_DATABASE:-courier_search_bench}"
read -r users conversations messages < <(awk -v s="$scale" 'BEGIN { printf "%d %d %d\n", 100000 * s, 500000 * s, 10000000 * s }')
vocabulary=50000
password="search-bench-password"

# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
need=()
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
bench_install_missing "${need[@]}"

admin_url="${BENCH_PG%/}/postgres"
filled="$("$pgbin/psql" -X -At "${BENCH_PG%/}/$BENCH_DATABASE" -c "SELECT messages FROM bench_search_fill" 2>/dev/null || true)"
if [[ "$filled" != "$messages" ]]; then
  echo "bench: filling $BENCH_DATABASE anew: $users users, $conversations conversations, $messages messages" >&2
  "$pgbin/psql" -X -q "$admin_url" -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $BENCH_DATABASE WITH (FORCE)" >&2
  fill=1
else
  echo "bench: $BENCH_DATABASE already holds $messages messages (SCALE $scale)" >&2
  fill=0
fi
bench_start_server courier-search 5
api="http://127.0.0.1:$port"

if (( fill )); then
  for name in searcher50 searcher2000; do
    curl -fsS -o /dev/null -X POST "$api/v1/accounts" -H 'Content-Type: application/json' \
      -d "{\"username\": \"$name\", \"password\": \"$password\"}"
  done
  small_user="$("${psql[@]}" -At -c "SELECT id FROM users WHERE username = 'searcher50'")"
  large_user="$("${psql[@]}" -At -c "SELECT id FROM users WHERE username = 'searcher2000'")"
  started=$SECONDS
  stdbuf -oL "${psql[@]}" -v users="$users" -v conversations="$conversations" -v messages="$messages" \
    -v vocabulary="$vocabulary" -v small_user="$small_user" -v large_user="$large_user" \
    -v small_count=50 -v large_count=2000 -f "$root/bench/lib/search-fill.sql" |  # stdbuf: a line per statement as it ends
    grep --line-buffered -v '^$' >&2
  "${psql[@]}" -c "CREATE TABLE bench_search_fill AS SELECT $messages::bigint AS messages, $((SECONDS - started)) AS seconds"
  echo "bench: filled in $((SECONDS - started)) s" >&2
fi
"${psql[@]}" -At -F ' ' -c "SELECT 'bench: database', pg_size_pretty(pg_database_size(current_database())),
                                   'messages table', pg_size_pretty(pg_table_size('messages')),
                                   'search index', pg_size_pretty(pg_relation_size('messages_search_idx'))" >&2

token() {
  curl -fsS -X POST "$api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"$password\"}" | jq -r .token
}

# queries USER CASE: the queries of one case, one per line (q, a tab, and the conversationId or nothing)
queries() {
  local user="$1" sql
  local mine="SELECT conversation_id FROM memberships WHERE user_id = $user"
  local sampled="SELECT body FROM messages WHERE conversation_id IN ($mine) ORDER BY hashint8(id + 7) LIMIT 400"
  case "$2" in
    very-common) sql="SELECT word, '' FROM bench_words WHERE rank <= 3" ;;
    common) sql="SELECT word, '' FROM bench_words WHERE rank BETWEEN 20 AND 60 ORDER BY rank LIMIT 20" ;;
    middling) sql="SELECT word, '' FROM bench_words WHERE rank BETWEEN 300 AND 1000 ORDER BY hashint4(rank) LIMIT 20" ;;
    rare) sql="SELECT DISTINCT ON (w.rank) w.word, '' FROM ($sampled) b,
                 regexp_split_to_table(b.body, ' ') t JOIN bench_words w ON w.word = t WHERE w.rank >= 3000 LIMIT 20" ;;
    phrase) sql="SELECT '\"' || (regexp_match(b.body, '^\S+ (\S+ \S+)'))[1] || '\"', '' FROM ($sampled) b
                  WHERE b.body ~ '^\S+ \S+ \S+' LIMIT 20" ;;
    one-conversation) sql="SELECT w.word, c.id FROM bench_words w,
                 (SELECT c.id FROM conversations c WHERE c.id IN ($mine) ORDER BY c.last_seq DESC LIMIT 1) c
                 WHERE w.rank BETWEEN 20 AND 60 ORDER BY w.rank LIMIT 20" ;;
    next-page) sql="SELECT word, 'page2' FROM bench_words WHERE rank BETWEEN 20 AND 60 ORDER BY rank LIMIT 20" ;;
  esac
  "${psql[@]}" -At -F $'\t' -c "$sql"
}

# measure TOKEN FILE: SAMPLES requests cycling through FILE's queries; prints p50, p99 (ms), results per page and
# how many answers were not 200.
measure() {
  local token="$1" file="$2" n=0 q conversation url cursor failures=0 times="$work/times"
  mapfile -t lines <"$file"
  : >"$times"
  : >"$work/counts"
  while (( n < samples )); do
    IFS=$'\t' read -r q conversation <<<"${lines[$((n % ${#lines[@]}))]}"
    args=(--data-urlencode "q=$q")
    if [[ "$conversation" == page2 ]]; then
      # a first page refused (a search cut off at its statement timeout answers 503) leaves no cursor: the first page
      # is then measured again, and counted as an error if it fails again
      cursor="$(curl -sS -G "$api/v1/search" "${args[@]}" -H "Authorization: Bearer $token" | jq -r '.next // empty' 2>/dev/null || true)"
      [[ -z "$cursor" ]] || args+=(--data-urlencode "cursor=$cursor")
    elif [[ -n "$conversation" ]]; then
      args+=(--data-urlencode "conversationId=$conversation")
    fi
    read -r code seconds < <(curl -sS -G -o "$work/answer" -w '%{http_code} %{time_total}\n' "$api/v1/search" "${args[@]}" \
                               -H "Authorization: Bearer $token")
    [[ "$code" == 200 ]] || failures=$((failures + 1))
    echo "$seconds" >>"$times"
    jq '.results | length' "$work/answer" >>"$work/counts" 2>/dev/null || true
    n=$((n + 1))
  done
  sort -g "$times" | awk -v f="$failures" '{ a[NR] = $1 * 1000 } END {
    p50 = a[int(NR * 0.50 + 0.5)]; p99 = a[int(NR * 0.99 + 0.5)]; printf "%.1f %.1f %d", p50, p99, f }'
  awk '{ s += $1 } END { printf " %.1f\n", (NR ? s / NR : 0) }' "$work/counts"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
cases=(very-common common middling rare phrase one-conversation next-page)
declare -A result
for user in searcher50 searcher2000; do
  token="$(token "$user")"
  id="$("${psql[@]}" -At -c "SELECT id FROM users WHERE username = '$user'")"
  # a first pass over every case, unmeasured, so that the measured ones find the pages they read in memory as a
  # server that has been running for a while would
  for c in "${cases[@]}"; do
    queries "$id" "$c" >"$work/$user-$c.tsv"
    [[ -s "$work/$user-$c.tsv" ]] || { echo "bench: no queries for $user, $c" >&2; exit 1; }
    samples_saved=$samples; samples=20; measure "$token" "$work/$user-$c.tsv" >/dev/null; samples=$samples_saved
  done
  for c in "${cases[@]}"; do
    result[$user,$c]="$(measure "$token" "$work/$user-$c.tsv")"
    echo "bench: $user $c: p50 p99 (ms), errors, results per page: ${result[$user,$c]}" >&2
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "SCALE $scale: $users users, $conversations conversations, $messages messages; $samples requests per case;"
echo "load average before $load_before, after $load_after ($(nproc) cores)"
echo
echo "| case | user in 50 conversations: p50 / p99 (ms) | results per page | user in 2,000: p50 / p99 (ms) | results per page | errors |"
echo "| --- | --- | --- | --- | --- | --- |"
for c in "${cases[@]}"; do
  read -r a50 a99 af ar <<<"${result[searcher50,$c]}"
  read -r b50 b99 bf br <<<"${result[searcher2000,$c]}"
  echo "| $c | $a50 / $a99 | $ar | $b50 / $b99 | $br | $((af + bf)) |"
done

if [[ "${SEND_COST:-1}" != 0 ]]; then
  bench_cleanup
  trap - EXIT
  BENCH_PG= BENCH_DATABASE= "$root/bench/search-send-cost.sh"
fi
