#!/usr/bin/env bash
# bench/faults.sh: real faults, not switches. Each scenario starts its own PostgreSQL (initdb into a temporary
# directory, a port of its own: the kill -9 and SIGSTOP below never touch another server), its own Courier node(s) and
# whatever else it needs, puts a steady socket load on them with `courier loadtest --transport socket` (which checks
# that every acknowledged message arrives exactly once, in order, with gapless history), does something real to one
# process, and prints: availability during the fault, the time to recover after it, errors by code, lost /
# duplicated / out-of-order / history gaps, what a separate REST probe saw of reads and writes, and the alerts Courier
# raised (GET /v1/admin/alerts on every node) beside the alert the fault should raise.
#
#   a  PostgreSQL's postmaster killed with kill -9, then started again (its orphaned backends exit first)
#   b  PostgreSQL frozen: every process of the instance SIGSTOPped for FREEZE_PG (10 s), then SIGCONT
#   c  the disk fills (tmpfs with a size limit, filled with a file): c1 the data directory's disk (tables cannot grow),
#      c2 the disk of pg_wal alone (a new WAL segment cannot be made); the space is given back after DISK_FULL (20 s)
#      and, if PostgreSQL stopped meanwhile, it is started again as a supervisor would
#   d  two nodes with --bus nats:// behind HAProxy: d1 NATS restarted, d2 NATS frozen (SIGSTOP, unreachable) FREEZE_NATS (10 s)
#   e  two nodes behind HAProxy, node 1 frozen with SIGSTOP for FREEZE_NODE (20 s) while its streams are open; the load
#      tester watches its streams (--stream-liveness STREAM_LIVENESS, 6s: a ping after 3 s of silence, given up at 6 s)
#   f  Patroni + etcd: a primary with one synchronous standby; the primary's Patroni and PostgreSQL killed with -9;
#      Courier on a multi-host URL with targetServerType=primary
#   g  two nodes, node 2's clock SKEW (+5, seconds) ahead through libfaketime; the messages rate limit on (PostgreSQL's clock
#      decides it), a burst through each node
#
# SCENARIOS="a b c1 c2 d1 d2 e f g" (the default) picks and orders them; "c" and "d" mean both of theirs.
# FAULTS_RATE (msg/s, default 40), FAULTS_USERS (40), FAULTS_BEFORE (s of load before the fault, 15),
# FAULTS_AFTER (s of load after it, 30), FAULTS_HEAP (per node, 384m). Missing Debian packages (haproxy, nats-server,
# patroni, etcd-server, faketime) are installed by name with apt-get (as root). Needs root for the tmpfs of c and to
# run PostgreSQL as the postgres user. Each scenario is bounded (every wait has a count and a time) and everything it
# started is stopped when it ends, or when the script is interrupted. The reports, logs and the summary table stay in
# target/faults/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
# shellcheck source=lib/haproxy.sh
source "$root/bench/lib/haproxy.sh"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"

scenarios="${SCENARIOS:-a b c1 c2 d1 d2 e f g}"
scenarios="$(echo " $scenarios " | sed 's/ c / c1 c2 /; s/ d / d1 d2 /')"
rate="${FAULTS_RATE:-40}"
users="${FAULTS_USERS:-40}"
before="${FAULTS_BEFORE:-15}"
after="${FAULTS_AFTER:-30}"
freeze_pg="${FREEZE_PG:-10}"
freeze_nats="${FREEZE_NATS:-10}"
freeze_node="${FREEZE_NODE:-20}"
disk_full="${DISK_FULL:-20}"
skew="${SKEW:-+5}"
liveness="${STREAM_LIVENESS:-6s}"
token="faults-admin-token-$RANDOM$RANDOM$RANDOM$RANDOM$RANDOM"   # 32+ characters: the audit passes it

(( $(id -u) == 0 )) || { echo "faults: run as root (PostgreSQL runs as the postgres user, scenario c mounts a tmpfs)" >&2; exit 2; }
missing=()
[[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
command -v nats-server >/dev/null || missing+=(nats-server)
[[ -x /usr/bin/patroni ]] || missing+=(patroni)
[[ -x /usr/bin/etcd ]] || missing+=(etcd-server)
command -v faketime >/dev/null || missing+=(faketime)
bench_install_missing ${missing[@]+"${missing[@]}"}

use_jdk
COURIER_HEAP="${FAULTS_HEAP:-384m}" courier_jvm_opts serve
serve_opts=("${jvm_opts[@]}")
COURIER_HEAP=768m courier_jvm_opts loadtest
loadtest_opts=("${jvm_opts[@]}")
results="$root/target/faults"
table="$results/table.md"
# Each scenario runs in a process of its own (this script again, with --scenario NAME and FAULTS_BASE set), so that
# one that fails stops only itself, and its own trap stops what it started.
if [[ "${1:-}" != --scenario ]]; then
  "$root/bin/courier" --version >/dev/null   # builds target/courier.jar when it is stale
  base="$(mktemp -d -t faults.XXXXXX)"
  chmod 755 "$base"
  trap 'rm -rf "$base"' EXIT
  cp "$root/target/courier.jar" "$base/courier.jar"
  mkdir -p "$results"
  echo "| scenario | availability during the fault (sends / seconds) | time to recover | errors by code | lost / dup / ooo / gaps | probe reads / writes ok during | alerts fired (expected) |" > "$table"
  echo "| --- | --- | --- | --- | --- | --- | --- |" >> "$table"
  echo "faults: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $rate msg/s, $users users; scenarios:$scenarios" >&2
  for s in $scenarios; do
    case "$s" in
      a|b|c1|c2|d1|d2|e|f|g) FAULTS_BASE="$base" "$0" --scenario "$s" || echo "faults: scenario $s failed (exit $?)" >&2 ;;
      *) echo "faults: unknown scenario $s (a b c1 c2 d1 d2 e f g)" >&2; exit 2 ;;
    esac
  done
  echo
  cat "$table"
  echo "faults: load $(cut -d' ' -f1-3 /proc/loadavg); reports and logs in $results" >&2
  exit 0
fi
base="${FAULTS_BASE:?}"
name="${2:?}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_pg() { runuser -u postgres -- "$@"; }
now() { date +%s.%N; }
log() { echo "faults: $*" >&2; }

# ---- what one scenario starts, stopped by scenario_cleanup (also on exit)
pids=()          # processes to end with SIGCONT (a stopped process cannot exit), then SIGKILL
pg_dirs=()       # PostgreSQL data directories to stop with pg_ctl
mounts=()        # tmpfs mount points
patroni_pids=()
scenario_cleanup() {
  local p d m
  for p in ${pids[@]+"${pids[@]}"} ${patroni_pids[@]+"${patroni_pids[@]}"}; do
    kill -CONT "$p" 2>/dev/null || true
    # a wrapper's child first (faketime's JVM, runuser's Patroni): it would outlive its parent
    pkill -9 -P "$p" 2>/dev/null || true
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  for d in ${pg_dirs[@]+"${pg_dirs[@]}"}; do
    if [[ -f "$d/postmaster.pid" ]]; then
      local pm; pm="$(head -1 "$d/postmaster.pid" 2>/dev/null || true)"
      [[ -z "$pm" ]] || { pkill -CONT -P "$pm" 2>/dev/null || true; kill -CONT "$pm" 2>/dev/null || true; }
      as_pg "$pgbin/pg_ctl" -D "$d" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    fi
  done
  sleep 0.5
  for m in ${mounts[@]+"${mounts[@]}"}; do umount -l "$m" 2>/dev/null || true; done
  pids=(); pg_dirs=(); mounts=(); patroni_pids=()
}
# ---- a private PostgreSQL 15
# pg_new DIR PORT [WALDIR]: initdb into DIR (and WALDIR for pg_wal), configured for loopback on PORT, started.
pg_new() {
  local dir=$1 port=$2 waldir=${3:-}
  mkdir -p "$dir"; chown postgres:postgres "$dir"; chmod 700 "$dir"
  local wal=()
  [[ -z "$waldir" ]] || wal=(--waldir "$waldir")
  as_pg "$pgbin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-sync ${wal[@]+"${wal[@]}"} >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; exit 1; }
  cat >> "$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 60
shared_buffers = 64MB
logging_collector = off
CONF
  pg_dirs+=("$dir")
  pg_start "$dir"
}
# its log outside the data directory, whose disk may be full
pg_log() { echo "$work/$(basename "$1").log"; }
pg_start() {
  as_pg "$pgbin/pg_ctl" -D "$1" -l "$(pg_log "$1")" -w -t 60 start >/dev/null
}
pg_postmaster() { head -1 "$1/postmaster.pid" 2>/dev/null || true; }
# pg_up PORT: PostgreSQL on PORT answers a query
pg_up() { "$pgbin/psql" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1; }
pg_create_db() { "$pgbin/psql" -X -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE courier" >&2; }

# ---- Courier nodes: node_start I DBURL [ARGS...]; node_prefix (an array) runs the JVM under another command.
# The node's own audit is off (its findings on this bench's settings, rate limits off and no webhook, would fire
# CourierAuditFailed in every scenario) but in g, where the clocks are what it should find.
declare -a node_port node_pid
node_prefix=()
node_audit=0s
node_start() {
  local i=$1 url=$2; shift 2
  [[ -n "${node_port[$i]:-}" ]] || node_port[$i]="$(free_port)"
  COURIER_RATE_LIMITS=off ${node_prefix[@]+"${node_prefix[@]}"} "$JAVA_HOME/bin/java" "${serve_opts[@]}" \
    -jar "$base/courier.jar" serve --host 127.0.0.1 --port "${node_port[$i]}" --db-url "$url" \
    --admin-token "$token" --drain-timeout 10s --audit-interval "$node_audit" "$@" >>"$work/node$i.log" 2>&1 &
  node_pid[$i]=$!
  pids+=("${node_pid[$i]}")
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:${node_port[$i]}/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "${node_pid[$i]}" 2>/dev/null || { log "node $i did not start"; tail -20 "$work/node$i.log" >&2; exit 1; }
    sleep 0.5
  done
  log "node $i not ready within 2 minutes"; exit 1
}

# ---- HAProxy in front of nodes 1..N (as bench/fleet.sh, with a health check that gives up on a silent node in 1 s)
lb_start() { haproxy_start "$1" 1s 2 4000 1s; }

# ---- NATS
nats_start() {
  [[ -n "${nats_port:-}" ]] || nats_port="$(free_port)"
  nats-server -a 127.0.0.1 -p "$nats_port" >>"$work/nats.log" 2>&1 &
  nats_pid=$!
  pids+=("$nats_pid")
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$nats_port") 2>/dev/null && return 0; sleep 0.1; done
  log "NATS did not start"; tail "$work/nats.log" >&2; exit 1
}

# ---- the REST probe: a user of its own reads and writes every 0.5 s during the run, each request with a 5 s limit,
# so that a hang shows as a 5 s answer and what is refused shows with its code. Writes $work/probe.csv:
# epoch,kind,status,code,ms.
probe_start() {
  local url=$1
  python3 - "$url" "$work/probe.csv" "$work/probe.stop" <<'PY' &
import json, os, random, sys, time, urllib.request, urllib.error, uuid
url, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
def call(method, path, body=None, tok=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    if data is not None: req.add_header("Content-Type", "application/json")
    if tok: req.add_header("Authorization", "Bearer " + tok)
    t0 = time.time()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null"), "", (time.time() - t0) * 1000
    except urllib.error.HTTPError as e:
        try: code = json.loads(e.read())["error"]["code"]
        except Exception: code = "?"
        return e.code, None, code, (time.time() - t0) * 1000
    except Exception as e:
        return 0, None, "timeout" if "timed out" in str(e) else "connection", (time.time() - t0) * 1000
name = "probe%d" % random.randrange(10**9)
for _ in range(20):
    s, _, _, _ = call("POST", "/v1/accounts", {"username": name, "password": "probe-password"})
    if s in (201, 409): break
    time.sleep(0.5)
body = conv = None
for _ in range(20):   # a slow node (g) may time out once
    if body is None:
        s, body, _, _ = call("POST", "/v1/sessions", {"username": name, "password": "probe-password"})
    if body is not None:
        s, conv, _, _ = call("POST", "/v1/conversations", {"type": "group", "title": "probe", "members": []}, body["token"])
    if conv is not None:
        break
    time.sleep(0.5)
tok, cid = body["token"], conv["id"]
n = 0
with open(out, "w") as f:
    while not os.path.exists(stop):
        n += 1
        for kind, method, path, body in (("read", "GET", "/v1/conversations/%d/messages?limit=5" % cid, None),
                                         ("write", "POST", "/v1/conversations/%d/messages" % cid,
                                          {"body": "probe %d" % n, "clientMsgId": str(uuid.uuid4())})):
            t = time.time()
            s, _, code, ms = call(method, path, body, tok)
            f.write("%.3f,%s,%d,%s,%.1f\n" % (t, kind, s, code, ms)); f.flush()
        time.sleep(0.5)
PY
  probe_pid=$!
  pids+=("$probe_pid")
}
probe_stop() { touch "$work/probe.stop"; for _ in $(seq 1 30); do kill -0 "$probe_pid" 2>/dev/null || break; sleep 0.2; done; }

# ---- one scenario's load: load_start URL, then the disturbance (which calls fault_on / fault_off), then load_finish
# load_start URL SECONDS [LOADTEST OPTIONS...]
load_start() {
  local url=$1 seconds=$2; shift 2
  "$JAVA_HOME/bin/java" "${loadtest_opts[@]}" -jar "$base/courier.jar" loadtest --url "$url" --transport socket \
    --rate "$rate" --duration "${seconds}s" --users "$users" --drain 20s --slo-p99 1s --max-error-rate 100% "$@" \
    --report-json "$work/report.json" --report-html "$work/report.html" >"$work/load.out" 2>&1 &
  load_pid=$!
  pids+=("$load_pid")
  load_t0=""
  for _ in $(seq 1 1800); do
    if grep -q 't=  1s' "$work/load.out" 2>/dev/null; then load_t0=$(python3 -c "import time; print(f'{time.time() - 1:.3f}')"); break; fi
    kill -0 "$load_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$load_t0" ]] || { log "the load did not start"; tail -20 "$work/load.out" >&2; exit 1; }
  echo "$load_t0" > "$work/load.t0"
  probe_start "$url"
}
# event TEXT: a moment of the scenario, in seconds since the load started
event() { local t; t=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$(now)" "$load_t0"); echo "$t $*" >> "$work/events"; log "t=${t}s $*"; }
fault_on() { event "FAULT_ON $*"; }
fault_off() { event "FAULT_OFF $*"; }
load_finish() {
  for _ in $(seq 1 1200); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$load_pid" 2>/dev/null && { log "the load test did not end in 10 minutes; stopping it"; kill -9 "$load_pid"; }
  wait "$load_pid" 2>/dev/null || true
  probe_stop
  local i
  for i in "${!node_port[@]}"; do
    curl -fs -m 5 -H "Authorization: Bearer $token" "http://127.0.0.1:${node_port[$i]}/v1/admin/alerts" \
      > "$work/alerts.node$i.json" 2>/dev/null || echo '{"alerts": [], "unreachable": true}' > "$work/alerts.node$i.json"
    curl -fs -m 5 -H "Authorization: Bearer $token" "http://127.0.0.1:${node_port[$i]}/v1/admin/nodes" \
      > "$work/nodes.node$i.json" 2>/dev/null || true
    # how the node heard of what the bus lost: bus reconnects (each one a catch-up from PostgreSQL), gaps filled
    # from the table before delivery, events it could not publish
    curl -gfs -m 5 "http://127.0.0.1:${node_port[$i]}/metrics?name[]=courier_bus_listener_reconnects&name[]=courier_stream_gap_fills&name[]=courier_bus_events_dropped" 2>/dev/null \
      | awk -v n="$i" '$1 !~ /^#/ { v[$1 ~ /reconnects/ ? "bus reconnects" : $1 ~ /gap_fills/ ? "gaps filled from the table" : "bus events dropped"] += $2 }
          END { printf "node %s:", n; for (k in v) printf " %s %d;", k, v[k]; print "" }' >> "$work/bus.txt" || true
  done
}

# summarize NAME EXPECTED_ALERTS: prints the scenario's figures and appends its row to the table
summarize() {
  python3 "$root/bench/lib/faults-summary.py" "$work" "$1" "$2" "$rate" >> "$table" 2> "$work/summary.txt" || true
  cat "$work/summary.txt" >&2
  grep -E '^loadtest: (streams resumed|verdict)' "$work/load.out" >&2 || true
}

load_seconds() { echo $(( before + $1 + after )); }

# ==== a: kill -9 of the postmaster, started again
run_a() {
  local port; port="$(free_port)"
  pg_new "$work/pg" "$port"; pg_create_db "$port"
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier"
  load_start "http://127.0.0.1:${node_port[1]}" "$(load_seconds 10)"
  sleep "$before"
  local pm; pm="$(pg_postmaster "$work/pg")"
  fault_on "kill -9 postmaster $pm"
  kill -9 "$pm"
  # The orphaned backends exit when they notice (at their next wait); a new postmaster refuses to start while any of
  # them still holds the shared memory. A supervisor (systemd's Restart=) retries the same way.
  for _ in $(seq 1 60); do
    if as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$(pg_log "$work/pg")" -w -t 20 start >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  pg_up "$port" || { log "PostgreSQL did not start again"; tail "$work/pg.log" >&2; }
  fault_off "PostgreSQL started again and answers"
  load_finish
  summarize "a: postmaster kill -9, restarted" "CourierDatabaseUnreachable"
}

# ==== b: every process of the instance SIGSTOPped, then SIGCONT
run_b() {
  local port; port="$(free_port)"
  pg_new "$work/pg" "$port"; pg_create_db "$port"
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier"
  load_start "http://127.0.0.1:${node_port[1]}" "$(load_seconds "$freeze_pg")"
  sleep "$before"
  local pm procs; pm="$(pg_postmaster "$work/pg")"
  procs="$pm $(pgrep -P "$pm" | tr '\n' ' ' || true)"
  fault_on "SIGSTOP to PostgreSQL ($(wc -w <<<"$procs") processes) for ${freeze_pg}s"
  # shellcheck disable=SC2086
  kill -STOP $procs
  # where the node's threads wait meanwhile, and whether any still waits 10 s after SIGCONT (none may hang)
  sleep $(( freeze_pg - freeze_pg / 3 ))
  "$JAVA_HOME/bin/jcmd" "${node_pid[1]}" Thread.print > "$work/threads-during.txt" 2>/dev/null || true
  sleep $(( freeze_pg / 3 ))
  # shellcheck disable=SC2086
  kill -CONT $procs
  fault_off "SIGCONT"
  sleep 10
  "$JAVA_HOME/bin/jcmd" "${node_pid[1]}" Thread.print > "$work/threads-after.txt" 2>/dev/null || true
  python3 - "$work/threads-during.txt" "$work/threads-after.txt" > "$work/notes.txt" <<'PY2'
import sys
def waiting(path):
    try:
        threads = open(path).read().split("\n\n")
    except OSError:
        return "no thread dump"
    reads = [t.split("\n")[0].split('"')[1] for t in threads
             if t.startswith('"') and "org.postgresql" in t and ("socketRead" in t or "implRead" in t or "NioSocketImpl.read" in t)]
    return "%d threads in a read from PostgreSQL%s" % (len(reads), (" (" + ", ".join(sorted(set(reads))[:6]) + ")") if reads else "")
print("thread dump during the freeze: %s" % waiting(sys.argv[1]))
print("thread dump 10 s after SIGCONT: %s" % waiting(sys.argv[2]))
PY2
  load_finish
  summarize "b: PostgreSQL frozen ${freeze_pg}s (SIGSTOP)" "CourierDatabaseUnreachable"
}

# ==== c: disk full. c1: the data directory's disk; c2: pg_wal's own disk
# mount_tmpfs DIR SIZE: a tmpfs owned by postgres
mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2,mode=0755,uid=$(id -u postgres),gid=$(id -g postgres)" tmpfs "$1" \
    || { log "cannot mount a tmpfs here (not permitted in this container?)"; return 1; }
  mounts+=("$1")
}
# fill DIR: writes a file until the disk is full (bounded by the tmpfs's size)
fill() { dd if=/dev/zero of="$1/filler" bs=1M status=none 2>/dev/null || true; sync; }
run_c1() {
  local port; port="$(free_port)"
  mount_tmpfs "$work/disk" 512m || return 1
  pg_new "$work/disk/pg" "$port"; pg_create_db "$port"
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier"
  load_start "http://127.0.0.1:${node_port[1]}" "$(load_seconds "$disk_full")"
  sleep "$before"
  fault_on "data directory's disk filled ($(df -h --output=size "$work/disk" | tail -1 | tr -d ' ') tmpfs)"
  fill "$work/disk"
  sleep "$disk_full"
  rm -f "$work/disk/filler"
  if ! pg_up "$port"; then
    event "PostgreSQL is down; starting it again"
    for _ in $(seq 1 60); do as_pg "$pgbin/pg_ctl" -D "$work/disk/pg" -l "$(pg_log "$work/disk/pg")" -w -t 20 start >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  fault_off "space given back"
  load_finish
  { echo "PostgreSQL's log, its errors counted:"
    grep -E 'PANIC|FATAL|ERROR|No space|terminated' "$work/pg.log" | sed 's/^[0-9: .-]*UTC //' | sort | uniq -c | sort -rn | head -8; } > "$work/notes.txt" || true
  summarize "c1: data disk full ${disk_full}s" "CourierHighErrorRate naming the full disk"
}
run_c2() {
  local port; port="$(free_port)"
  mount_tmpfs "$work/waldisk" 128m || return 1
  pg_new "$work/pg" "$port" "$work/waldisk/pg_wal"; pg_create_db "$port"
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier"
  load_start "http://127.0.0.1:${node_port[1]}" "$(load_seconds "$disk_full")"
  sleep "$before"
  fault_on "pg_wal's disk filled ($(df -h --output=size "$work/waldisk" | tail -1 | tr -d ' ') tmpfs)"
  fill "$work/waldisk"
  # The current segment still has room; the load fills it in minutes at this rate, so move on to the next segment
  # now, as a busier server would: PostgreSQL must then create a file on the full disk.
  local k
  for k in 1 2 3 4 5; do
    "$pgbin/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d courier -c 'SELECT pg_switch_wal()' >/dev/null 2>&1 || break
    sleep 1
  done
  sleep $(( disk_full > k ? disk_full - k : 0 ))
  rm -f "$work/waldisk/filler"
  if ! pg_up "$port"; then
    event "PostgreSQL is down; starting it again"
    for _ in $(seq 1 60); do as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$(pg_log "$work/pg")" -w -t 20 start >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  fault_off "space given back"
  load_finish
  { echo "PostgreSQL's log, its errors counted:"
    grep -E 'PANIC|FATAL|ERROR|No space|terminated' "$work/pg.log" | sed 's/^[0-9: .-]*UTC //' | sort | uniq -c | sort -rn | head -8; } > "$work/notes.txt" || true
  summarize "c2: WAL disk full ${disk_full}s" "CourierDatabaseUnreachable"
}

# ==== d: two nodes on NATS behind HAProxy
two_nodes_on_nats() {
  local port; port="$(free_port)"
  pg_new "$work/pg" "$port"; pg_create_db "$port"
  nats_start
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier" --bus "nats://127.0.0.1:$nats_port"
  node_start 2 "postgresql://postgres@127.0.0.1:$port/courier" --bus "nats://127.0.0.1:$nats_port"
  lb_start 2
}
run_d1() {
  two_nodes_on_nats
  load_start "http://127.0.0.1:$lb_port" "$(load_seconds 5)"
  sleep "$before"
  fault_on "NATS stopped (SIGTERM) and started again"
  kill -TERM "$nats_pid"; for _ in $(seq 1 50); do kill -0 "$nats_pid" 2>/dev/null || break; sleep 0.1; done
  nats_start
  fault_off "NATS accepts connections again"
  load_finish
  cp "$work/bus.txt" "$work/notes.txt" 2>/dev/null || true
  summarize "d1: NATS restarted" "none (the bus is back within seconds)"
}
run_d2() {
  two_nodes_on_nats
  load_start "http://127.0.0.1:$lb_port" "$(load_seconds "$freeze_nats")"
  sleep "$before"
  fault_on "NATS frozen (SIGSTOP) for ${freeze_nats}s: connections open, nothing answered"
  kill -STOP "$nats_pid"
  sleep "$freeze_nats"
  kill -CONT "$nats_pid"
  fault_off "SIGCONT"
  load_finish
  cp "$work/bus.txt" "$work/notes.txt" 2>/dev/null || true
  summarize "d2: NATS unreachable ${freeze_nats}s (SIGSTOP)" "CourierBusDisconnected naming NATS on both nodes"
}

# ==== e: a node frozen while its streams are open
run_e() {
  local port; port="$(free_port)"
  pg_new "$work/pg" "$port"; pg_create_db "$port"
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier"
  node_start 2 "postgresql://postgres@127.0.0.1:$port/courier"
  lb_start 2
  # the clients watch their streams: a frozen node closes no socket, only an unanswered ping tells
  load_start "http://127.0.0.1:$lb_port" "$(load_seconds "$freeze_node")" --stream-liveness "$liveness"
  sleep "$before"
  fault_on "node 1 frozen (SIGSTOP) for ${freeze_node}s, streams: $(curl -gfs "http://127.0.0.1:${node_port[1]}/metrics?name[]=courier_stream_connections" | awk '$1 ~ /^courier_stream_connections/ {print $2}')"
  kill -STOP "${node_pid[1]}"
  sleep "$freeze_node"
  kill -CONT "${node_pid[1]}"
  fault_off "SIGCONT"
  load_finish
  cp "$work/bus.txt" "$work/notes.txt" 2>/dev/null || true
  summarize "e: node frozen ${freeze_node}s (SIGSTOP)" "CourierProcessPaused on the frozen node; the survivor has no cause to alert"
}

# ==== f: Patroni + etcd failover
run_f() {
  local etcd_client etcd_peer i
  etcd_client="$(free_port)"; etcd_peer="$(free_port)"
  etcd --name faults --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$etcd_client" \
    --advertise-client-urls "http://127.0.0.1:$etcd_client" --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" --initial-cluster "faults=http://127.0.0.1:$etcd_peer" \
    >"$work/etcd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$etcd_client/health" >/dev/null 2>&1 && break; sleep 0.1; done
  declare -ga pat_pg pat_api
  for i in 1 2; do
    pat_pg[$i]="$(free_port)"; pat_api[$i]="$(free_port)"
    mkdir -p "$work/pat$i"; chown postgres:postgres "$work/pat$i"; chmod 700 "$work/pat$i"
    cat > "$work/patroni$i.yml" <<YML
scope: courier-faults-$$
name: pg$i
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${pat_api[$i]}
  connect_address: 127.0.0.1:${pat_api[$i]}
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 60
        shared_buffers: 64MB
        wal_log_hints: 'on'
        max_wal_senders: 5
        max_replication_slots: 5
  initdb:
    - encoding: UTF8
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:${pat_pg[$i]}
  connect_address: 127.0.0.1:${pat_pg[$i]}
  data_dir: $work/pat$i/data
  bin_dir: $pgbin
  pgpass: $work/pat$i/pgpass
  authentication:
    superuser:
      username: postgres
      password: faults
    replication:
      username: postgres
      password: faults
  parameters:
    unix_socket_directories: '$work/pat$i'
YML
    chmod 644 "$work/patroni$i.yml"
    runuser -u postgres -- /usr/bin/patroni "$work/patroni$i.yml" >"$work/patroni$i.log" 2>&1 &
    patroni_pids[$i]=$!   # runuser's; Patroni is its child
    pg_dirs+=("$work/pat$i/data")
    # the first member bootstraps the cluster before the second joins it
    if [[ $i == 1 ]]; then
      for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:${pat_api[1]}/primary" >/dev/null 2>&1 && break; sleep 0.5; done
    fi
  done
  # both up, the second a synchronous standby
  local ok=""
  for _ in $(seq 1 240); do
    local cluster; cluster="$(curl -fs "http://127.0.0.1:${pat_api[1]}/cluster" 2>/dev/null || true)"
    if [[ "$cluster" == *'"sync_standby"'* ]]; then ok=1; break; fi
    sleep 0.5
  done
  [[ -n "$ok" ]] || { log "Patroni: no synchronous standby within 2 minutes"; curl -s "http://127.0.0.1:${pat_api[1]}/cluster" >&2; tail -20 "$work"/patroni*.log >&2; return 1; }
  pg_create_db "${pat_pg[1]}"
  curl -fs "http://127.0.0.1:${pat_api[1]}/cluster" > "$work/cluster-before.json"
  # Both hosts; the driver connects to the one that is primary now. hostRecheckSeconds: how long pgjdbc trusts what
  # it learnt of a host (default 10 s; a standby it saw just before the promotion would be skipped that long).
  node_start 1 "postgresql://postgres@127.0.0.1:${pat_pg[1]},127.0.0.1:${pat_pg[2]}/courier?targetServerType=primary&hostRecheckSeconds=2"
  load_start "http://127.0.0.1:${node_port[1]}" "$(load_seconds 20)"
  sleep "$before"
  local leader pm
  leader="$(curl -fs "http://127.0.0.1:${pat_api[1]}/cluster" | python3 -c 'import json,sys; print([m["name"] for m in json.load(sys.stdin)["members"] if m["role"] == "leader"][0])')"
  i="${leader#pg}"
  pm="$(pg_postmaster "$work/pat$i/data")"
  local children patroni; children="$(pgrep -P "$pm" | tr '\n' ' ' || true)"
  patroni="$(pgrep -P "${patroni_pids[$i]}" | tr '\n' ' ' || true)"
  fault_on "primary $leader killed: kill -9 of its Patroni ($patroni) and all its PostgreSQL processes ($pm $children) at once, as when its host dies"
  # shellcheck disable=SC2086
  kill -9 $patroni "$pm" $children 2>/dev/null || true
  local other=$(( 3 - i )) promoted=""
  for _ in $(seq 1 240); do
    if curl -fs "http://127.0.0.1:${pat_api[$other]}/primary" >/dev/null 2>&1; then promoted=1; break; fi
    sleep 0.25
  done
  if [[ -n "$promoted" ]]; then
    fault_off "pg$other promoted (its Patroni's /primary answers 200)"
  else
    fault_off "pg$other NOT promoted within 60 s"
  fi
  sleep 5
  curl -fs "http://127.0.0.1:${pat_api[$other]}/cluster" > "$work/cluster-after.json" || true
  load_finish
  summarize "f: Patroni failover (primary killed)" "CourierDatabaseUnreachable"
}

# ==== g: one node's clock 5 s ahead
run_g() {
  local port; port="$(free_port)"
  pg_new "$work/pg" "$port"; pg_create_db "$port"
  # the messages limit on (30/s per user, the default): a burst through each node below; the nodes' audit on
  node_audit=1h
  node_start 1 "postgresql://postgres@127.0.0.1:$port/courier" --rate-limits accounts=off,sessions=off,writes=off
  # libfaketime moves the realtime clock only: the JVM's timers and parks run on the monotonic clock
  node_prefix=(faketime -m --exclude-monotonic -f "$skew")
  node_start 2 "postgresql://postgres@127.0.0.1:$port/courier" --rate-limits accounts=off,sessions=off,writes=off
  node_prefix=()
  lb_start 2
  load_start "http://127.0.0.1:$lb_port" "$(load_seconds 10)"
  sleep "$before"
  fault_on "node 2 runs ${skew} s off (libfaketime) from its start; a burst of 60 sends by one user through each node"
  python3 - "${node_port[1]}" "${node_port[2]}" > "$work/bursts.txt" <<'PY2'
import json, random, sys, urllib.request, urllib.error, uuid
def call(port, method, path, body=None, tok=None):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=json.dumps(body).encode() if body is not None else None, method=method)
    req.add_header("Content-Type", "application/json")
    if tok: req.add_header("Authorization", "Bearer " + tok)
    try:
        with urllib.request.urlopen(req, timeout=10) as r: return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e: return e.code, None
    except OSError: return "no answer in 10 s", None
for label, port in (("node 1 (clock right)", sys.argv[1]), ("node 2 (clock skewed)", sys.argv[2])):
    name = "burst%d" % random.randrange(10**9)
    call(port, "POST", "/v1/accounts", {"username": name, "password": "burst-password"})
    tok = call(port, "POST", "/v1/sessions", {"username": name, "password": "burst-password"})[1]["token"]
    cid = call(port, "POST", "/v1/conversations", {"type": "group", "title": "burst", "members": []}, tok)[1]["id"]
    codes = {}
    for n in range(60):
        s, _ = call(port, "POST", "/v1/conversations/%d/messages" % cid, {"body": "b%d" % n, "clientMsgId": str(uuid.uuid4())}, tok)
        codes[s] = codes.get(s, 0) + 1
    print("rate limit, 60 sends at once by one user through %s: %s" % (label, ", ".join("%s: %d" % kv for kv in sorted(codes.items(), key=str))))
PY2
  cat "$work/bursts.txt" >&2
  fault_off "bursts done (the skew stays)"
  load_finish
  python3 -c 'import json, sys
for n in json.load(open(sys.argv[1]))["nodes"]:
    print("node %s: clockSkewMillis %s" % (n["address"], n["clockSkewMillis"]))' "$work/nodes.node1.json" > "$work/skew.txt" 2>/dev/null || true
  "$pgbin/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d courier -c "SELECT 'messages whose createdAt is earlier than the previous seq''s: ' || count(*) FROM messages m JOIN messages n ON n.conversation_id = m.conversation_id AND n.seq = m.seq + 1 WHERE n.created_at < m.created_at" >> "$work/skew.txt" 2>/dev/null || true
  "$JAVA_HOME/bin/java" "${loadtest_opts[@]}" -jar "$base/courier.jar" audit --db-url "postgresql://postgres@127.0.0.1:$port/courier" \
    --url "http://127.0.0.1:${node_port[1]}" --admin-token "$token" 2>&1 | grep -i -E 'clock|skew' >> "$work/skew.txt" || true
  cat "$work/bursts.txt" "$work/skew.txt" > "$work/notes.txt"
  summarize "g: node 2's clock ${skew} s ahead" "CourierAuditFailed naming fleet.clocks"
}

# ---- this process: one scenario, in a directory of its own
work="$base/$name"
mkdir -p "$work"; chmod 777 "$work"
: > "$work/events"
node_port=(); node_pid=(); nats_port=""
finish() {
  scenario_cleanup
  mkdir -p "$results/$name"
  cp "$work"/*.json "$work"/*.out "$work"/*.log "$work"/*.txt "$work"/*.csv "$work"/*.yml "$work"/events \
    "$results/$name/" 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM
log "==== scenario $name"
"run_$name"
