# Sourced by bin/courier and the benches (after use_jdk and courier_jvm_opts): the JDK's ahead-of-time cache
# (JEP 483/514/515, JDK 25 and later), which holds Courier's classes loaded and linked and the profiles of its hot
# methods, so that a server started a second ago answers like one that has run for a while. The cache is made by a
# short representative run (aot_train) and belongs to one jar and one JDK: anything else is refused by the JVM with
# error lines, so aot_options only offers a cache whose stamp matches.

# aot_stamp JAR: what a cache was made for (the JDK and the jar's size and modification time)
aot_stamp() {
  echo "$JAVA_HOME $JAVA_MAJOR $(stat -c '%s %Y' "$1") ${jvm_opts[0]}"
}

# aot_supported: whether this JDK makes and uses caches in one step (-XX:AOTCacheOutput), and COURIER_AOT is not off
aot_supported() {
  [[ "${COURIER_AOT:-on}" != off ]] && (( JAVA_MAJOR >= 25 ))
}

# aot_options JAR CACHE: sets aot_opts to use CACHE for JAR when it was made for them, else empty
aot_options() {
  aot_opts=()
  aot_supported || return 0
  [[ -f "$2" && -f "$2.stamp" && "$(cat "$2.stamp")" == "$(aot_stamp "$1")" ]] || return 0
  aot_opts=("-XX:AOTCache=$2")
}

# aot_train JAR SERVER_CACHE CLIENT_CACHE: makes both caches by running JAR the way people do: a server on an
# embedded PostgreSQL in a temporary directory and a load generator sending over the socket and over REST, with
# edits and reactions, for about 15 s. Each JVM writes its cache when it exits. Bounded: gives up after 3 minutes.
aot_train() {
  local jar="$1" server_cache="$2" client_cache="$3" dir port pid ok=0
  aot_supported || return 0
  dir="$(mktemp -d -t courier-aot.XXXXXX)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
          || echo $(( 20000 + RANDOM % 20000 )))"
  rm -f "$server_cache" "$server_cache.stamp" "$client_cache" "$client_cache.stamp"
  COURIER_RATE_LIMITS=off "$JAVA_HOME/bin/java" "${jvm_opts[@]}" "-XX:AOTCacheOutput=$server_cache" -jar "$jar" \
    serve --host 127.0.0.1 --port "$port" --data-dir "$dir/data" >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if (( ok )); then
    "$JAVA_HOME/bin/java" "${jvm_opts[@]}" "-XX:AOTCacheOutput=$client_cache" -jar "$jar" loadtest \
      --url "http://127.0.0.1:$port" --transport socket --rate 100 --users 20 --duration 10s --drain 3s \
      --edit-share 5% --react-share 5% --report-json "$dir/socket.json" --report-html "$dir/socket.html" \
      >"$dir/client.log" 2>&1 || true   # a verdict of fail on a busy machine still trains
    "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -jar "$jar" loadtest --url "http://127.0.0.1:$port" --transport rest \
      --rate 50 --users 20 --duration 4s --drain 3s --report-json "$dir/rest.json" --report-html "$dir/rest.html" \
      >>"$dir/client.log" 2>&1 || true
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; ok=0; fi
  wait "$pid" 2>/dev/null || true
  if (( ok )) && [[ -f "$server_cache" && -f "$client_cache" ]]; then
    aot_stamp "$jar" >"$server_cache.stamp"
    aot_stamp "$jar" >"$client_cache.stamp"
    rm -rf "$dir"
    return 0
  fi
  echo "courier: the start-up cache was not made (Courier runs without it; logs in $dir)" >&2
  rm -f "$server_cache" "$client_cache"
  return 1
}
