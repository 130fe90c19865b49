# bench/lib/haproxy.sh: HAProxy in front of Courier nodes on loopback, for the bench scripts that run several
# (fleet.sh, faults.sh). Sourced; reads the caller's $work and node_port[1..N], calls its free_port, appends the
# process to its pids[] (which the caller stops on exit).
#
# haproxy_start NODES CONNECT_TIMEOUT FALL MAXCONN [CHECK_TIMEOUT]: HTTP and WebSocket to nodes 1..NODES, balanced by
# least connections and health-checked on GET /health/ready every 500 ms: a node is taken out after FALL failed
# checks (each given CHECK_TIMEOUT to answer, when set, else CONNECT_TIMEOUT) and put back after 2 good ones. A
# request refused by a node that drains (503) or lost with a dead one is tried on another, up to 3 times. Sets
# lb_port; writes $work/haproxy.cfg and $work/haproxy.log; exits the script when HAProxy does not answer in 10 s.
haproxy_start() {
  local n=$1 connect=$2 fall=$3 maxconn=$4 check=${5:-} i
  lb_port="$(free_port)"
  {
    cat <<CFG
global
  maxconn $maxconn
defaults
  mode http
  timeout connect $connect
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
CFG
    [[ -z "$check" ]] || echo "  timeout check $check"
    cat <<CFG
  # a request refused by a node that drains (503) or lost with a dead one is tried on another
  retry-on conn-failure empty-response response-timeout 503
  retries 3
  option redispatch 1
frontend courier
  bind 127.0.0.1:$lb_port
  default_backend nodes
backend nodes
  balance leastconn
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 500ms fall $fall rise 2
CFG
    for i in $(seq 1 "$n"); do echo "  server node$i 127.0.0.1:${node_port[$i]} check"; done
  } > "$work/haproxy.cfg"
  /usr/sbin/haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$lb_port/health/live" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "$(basename "$0" .sh): HAProxy did not start" >&2; cat "$work/haproxy.log" >&2; exit 1
}
