# Sourced by bin/courier and bin/test: sets JAVA_HOME to a JDK >= 21 and JAVA_MAJOR to its version.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

find_jdk() {
  local candidate
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] && (( $(java_major "$JAVA_HOME/bin/java") >= 21 )); then
    echo "$JAVA_HOME"; return 0
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    if [[ -x "$candidate/bin/java" && -x "$candidate/bin/javac" ]] && (( $(java_major "$candidate/bin/java") >= 21 )); then
      echo "$candidate"; return 0
    fi
  done
  if command -v javac >/dev/null && (( $(java_major "$(command -v java)") >= 21 )); then
    dirname "$(dirname "$(readlink -f "$(command -v javac)")")"; return 0
  fi
  return 1
}

# jdk_install_hint: how to get a JDK >= 21 on this system. Distributions differ: Debian 12 packages OpenJDK 17 only,
# so naming openjdk-21-jdk there sends people to a package that does not exist.
jdk_install_hint() {
  local pkg
  if command -v apt-cache >/dev/null; then
    for pkg in openjdk-25-jdk openjdk-21-jdk; do
      if [[ -n "$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]]; then
        echo "apt-get install $pkg"; return
      fi
    done
    echo "this system's packages have no JDK 21 or newer: install Eclipse Temurin 21 or 25 from Adoptium's apt repository (https://adoptium.net/installation/linux/, package temurin-21-jdk) or unpack a JDK and set JAVA_HOME"
  elif command -v dnf >/dev/null; then
    echo "dnf install java-21-openjdk-devel"
  elif command -v brew >/dev/null; then
    echo "brew install openjdk@21"
  else
    echo "install a JDK 21 or newer (e.g. Eclipse Temurin from https://adoptium.net) and set JAVA_HOME"
  fi
}

use_jdk() {
  local found
  if ! found="$(find_jdk)"; then
    echo "courier: no JDK 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); $(jdk_install_hint)" >&2
    return 1
  fi
  export JAVA_HOME="$found"
  JAVA_MAJOR="$(java_major "$JAVA_HOME/bin/java")"
  export PATH="$JAVA_HOME/bin:$PATH"
  if (( JAVA_MAJOR >= 23 )); then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# default_heap: a quarter of this machine's memory, at least 256m and at most 2g, so that a server on a small
# machine leaves room for PostgreSQL and the system; 2g where the memory cannot be read.
default_heap() {
  local kib=""
  if [[ -r /proc/meminfo ]]; then
    kib="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  elif command -v sysctl >/dev/null; then
    kib="$(( $(sysctl -n hw.memsize 2>/dev/null || echo 0) / 1024 ))"
  fi
  if [[ -z "$kib" || "$kib" -le 0 ]]; then echo 2g; return; fi
  local mib=$(( kib / 1024 / 4 ))
  (( mib < 256 )) && mib=256
  (( mib > 2048 )) && mib=2048
  echo "${mib}m"
}

# courier_jvm_opts [SUBCOMMAND]: sets jvm_opts, the options Courier's JVM runs with (after use_jdk). For serve,
# loadtest and drill the heap is fixed and touched at start-up (COURIER_HEAP, default a quarter of the memory
# between 256m and 2g, see default_heap; "auto" leaves it to the JVM). A heap that grows under load has the kernel
# map and zero fresh pages while requests wait: at 12,000 msg/s the server took 45,000 page faults a second as ZGC
# grew its heap from 4 to 5.3 GB, system time reached 59%, and p99 went from 30-60 ms to over a second
# (docs/loadtest.md). The price is that the process holds its whole heap from the start, even idle.
courier_jvm_opts() {
  local heap="${COURIER_HEAP:-$(default_heap)}"
  jvm_opts=(-XX:+UseZGC -Xss512k)
  case "${1:-}" in
    serve|loadtest|drill)
      if [[ "$heap" != auto ]]; then jvm_opts+=("-Xms$heap" "-Xmx$heap" -XX:+AlwaysPreTouch); fi ;;
  esac
  if (( JAVA_MAJOR >= 22 )); then jvm_opts+=(--enable-native-access=ALL-UNNAMED); fi
  if (( JAVA_MAJOR >= 23 )); then jvm_opts+=(--sun-misc-unsafe-memory-access=allow); fi
}
