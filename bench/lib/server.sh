# Sourced by the bench scripts: one private Courier server on loopback, with an embedded PostgreSQL in a temporary
# directory, rate limits off. Needs $root (the repository). Sets work, port, server_pid, jvm_opts, pgport (the
# embedded PostgreSQL's) and psql (a command line for it), defines courier (runs the same jar,
# e.g. `courier loadtest ...`), and stops the server and removes $work on exit.
# COURIER_JAR=path runs that jar instead of target/courier.jar; LOADTEST_JAR=path runs the courier function (the load
# generator) from another jar than the server, so that two server builds are compared with one generator; BENCH_SERVE_ARGS adds options to `serve`. Sets pgbin, where PostgreSQL's client programs are
# (PG_BIN, by default PostgreSQL 15's).
# BENCH_PG=postgresql://user[:password]@host:port runs the server on that PostgreSQL instead, in a new database of its
# own that is dropped on exit; psql then reaches that database, and pgport is that server's port (the pgbench runs of
# bench/throughput.sh still expect the embedded database). With BENCH_DATABASE=NAME as well, the server uses that
# database (created when missing) and it is kept on exit, for data that takes long to make (bench/search.sh).

pgbin="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# bench_install_missing PACKAGE...: installs Debian's packages, named by what the bench found missing (as root with
# apt-get; otherwise it says what to install and exits). Nothing to do without arguments.
bench_install_missing() {
  (( $# > 0 )) || return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  else
    echo "bench: please install: $*" >&2; exit 1
  fi
}

bench_cleanup() {
  if [[ -n "${server_pid:-}" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"   # SIGTERM: the server stops gracefully, embedded PostgreSQL included
    for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  if [[ -n "${bench_db:-}" && -z "${BENCH_DATABASE:-}" ]]; then
    "$pgbin/psql" -X -q "$bench_pg/postgres" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >&2 || true
  fi
  rm -rf "${work:-}"
}

# bench_external_database: with BENCH_PG, creates the server's database there and sets bench_pg (BENCH_PG without a
# database), bench_db, bench_db_url, pgport and psql. Without BENCH_PG it only sets bench_db_url empty.
bench_external_database() {
  bench_db_url=""
  [[ -n "${BENCH_PG:-}" ]] || return 0
  read -r bench_pg pgport < <(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1])
print(p.scheme + "://" + p.netloc, p.port or 5432)' "$BENCH_PG")
  bench_db="${BENCH_DATABASE:-courier_bench_$$_$RANDOM}"
  if [[ -n "${BENCH_DATABASE:-}" ]] && [[ "$("$pgbin/psql" -X -At "$bench_pg/postgres" \
       -c "SELECT 1 FROM pg_database WHERE datname = '$bench_db'")" == 1 ]]; then
    :   # kept from an earlier run
  elif ! "$pgbin/psql" -X -q "$bench_pg/postgres" -v ON_ERROR_STOP=1 -c "CREATE DATABASE $bench_db" >&2; then
    bench_db=""
    echo "bench: could not create a database on $bench_pg (BENCH_PG; set it empty for an embedded one)" >&2; exit 1
  fi
  bench_db_url="$bench_pg/$bench_db"
  psql=("$pgbin/psql" -X -q "$bench_db_url" -v ON_ERROR_STOP=1)
}

# bench_start_server NAME POOL_SIZE
# BENCH_SERVER_CPUS and BENCH_CLIENT_CPUS (taskset lists, e.g. 0 and 1) keep the server and the load generator on
# cores of their own, the way a server and its clients run on different machines: past capacity a generator on the
# server's cores takes the CPU the server would refuse with, and measures itself. PostgreSQL is not pinned.
server_pin=()
client_pin=()
[[ -z "${BENCH_SERVER_CPUS:-}" ]] || server_pin=(taskset -c "$BENCH_SERVER_CPUS")
[[ -z "${BENCH_CLIENT_CPUS:-}" ]] || client_pin=(taskset -c "$BENCH_CLIENT_CPUS")

bench_start_server() {
  work="$(mktemp -d -t "$1.XXXXXX")"
  server_pid=""
  trap bench_cleanup EXIT
  # Run a private copy: a rebuild of target/ during the bench must not swap the jar under a running JVM.
  # COURIER_JAR runs another build instead (e.g. the one before a change, to compare the two side by side).
  if [[ -n "${COURIER_JAR:-}" ]]; then
    cp "$COURIER_JAR" "$work/courier.jar"
  else
    "$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
    cp "$root/target/courier.jar" "$work/courier.jar"
  fi
  client_jar="$work/courier.jar"
  if [[ -n "${LOADTEST_JAR:-}" ]]; then
    client_jar="$work/loadtest.jar"
    cp "$LOADTEST_JAR" "$client_jar"
  fi
  # shellcheck source=../../bin/lib/jdk.sh
  source "$root/bin/lib/jdk.sh"
  use_jdk
  # The launcher's options, fixed heap included (COURIER_HEAP); BENCH_GC picks another collector for the server and
  # the load generator (e.g. -XX:+UseG1GC), to compare.
  courier_jvm_opts serve
  jvm_opts[0]="${BENCH_GC:-${jvm_opts[0]}}"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  bench_external_database
  local database=(--data-dir "$work/data")
  [[ -z "$bench_db_url" ]] || database=(--db-url "$bench_db_url")
  echo "bench: starting Courier on 127.0.0.1:$port (pool $2, ${bench_db_url:-embedded PostgreSQL in $work})" >&2
  # Started directly (not through the courier function) so that $! is the JVM itself and cleanup stops it.
  # BENCH_SERVER_JAVA_OPTS adds JVM options to the server alone (e.g. -XX:StartFlightRecording=filename=...).
  local server_java_opts=()
  read -r -a server_java_opts <<<"${BENCH_SERVER_JAVA_OPTS:-}"
  COURIER_RATE_LIMITS=off ${server_pin[@]+"${server_pin[@]}"} "$JAVA_HOME/bin/java" "${jvm_opts[@]}" \
    ${server_java_opts[@]+"${server_java_opts[@]}"} -jar "$work/courier.jar" serve --host 127.0.0.1 \
    --port "$port" "${database[@]}" --pool-size "$2" ${BENCH_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 240); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      [[ -z "$bench_db_url" ]] || return 0
      pgport="$(grep -o 'embedded PostgreSQL on 127.0.0.1:[0-9]*' "$work/serve.log" | head -1 | sed 's/.*://')"
      [[ -n "$pgport" ]] || { echo "bench: could not find the embedded PostgreSQL's port" >&2; exit 1; }
      psql=("$pgbin/psql" -X -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres
            -v ON_ERROR_STOP=1)
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the server did not start:" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "bench: the server was not ready within 2 minutes" >&2; exit 1
}

# bench_preallocate_wal: gives the new database the WAL files a server that has run for a while has. PostgreSQL
# writes each new 16 MB WAL file full of zeros when it first needs it, and every commit waits meanwhile: at 4,500
# msg/s (about 480 bytes of WAL per message), a new file every 7 s, and each time a second whose p99 went from
# 15-30 ms to 70-130 ms (bench/results/2026-12-02-wal-files.md). A checkpoint recycles used files as future ones instead (the embedded
# database keeps at least min_wal_size = 512MB of them, up to max_wal_size = 1GB while its WAL rate needs them), so
# a server under load stops making new files after its first checkpoints; on a new database a bench would measure
# those first minutes instead. The default, 64 files (1 GB), covers a whole ramp. Needs psql. WAL_FILES=0 skips it,
# and so does BENCH_PG: an external server has its own WAL files, and others may be using it.
bench_preallocate_wal() {
  local files="${WAL_FILES:-64}"
  (( files > 0 )) && [[ -z "${BENCH_PG:-}" ]] || return 0
  echo "bench: preallocating $files WAL files" >&2
  # One row per file: a WAL record (written at once, outside the transaction), then a switch to the next file.
  "${psql[@]}" -At -c "SELECT count(pg_switch_wal()) FROM generate_series(1, $files) AS f
                        WHERE pg_logical_emit_message(false, 'bench', 'wal') IS NOT NULL" >/dev/null
  "${psql[@]}" -c CHECKPOINT
}

courier() { ${client_pin[@]+"${client_pin[@]}"} "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$client_jar" "$@"; }

# cpu_ticks: the host's CPU time so far, from /proc/stat's first line (user nice system idle iowait irq softirq steal),
# for stolen_percent. Empty where there is no /proc/stat.
cpu_ticks() { [[ -r /proc/stat ]] && awk 'NR == 1 { print $2, $3, $4, $5, $6, $7, $8, $9 }' /proc/stat; }
# stolen_percent BEFORE AFTER: the share of the host's CPU time between two cpu_ticks that the hypervisor gave to
# other guests ("steal"), in percent; "-" when unknown. On a shared virtual machine it slows a run down without
# anything in the run changing, and the bench prints it beside each figure so that a slow hour shows as one.
stolen_percent() {
  [[ -n "$1" && -n "$2" ]] || { echo "-"; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); total = 0
    for (i = 1; i <= n; i++) total += y[i] - x[i]
    printf "%.1f", (total > 0 ? 100 * (y[8] - x[8]) / total : 0) }'
}
