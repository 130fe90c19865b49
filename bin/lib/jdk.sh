# Sourced by bin/courier and bin/test (which need a JDK, to build) and by the packaged launcher (the tarball's and the
# Debian package's bin/courier, which needs only a runtime, JRE or JDK): finds Java >= 21, sets JAVA_HOME to it and
# JAVA_MAJOR to its version, and knows the options Courier's JVM runs with. One file, so the launcher of a source
# checkout and the packaged one cannot drift apart.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# is_java KIND DIR: DIR holds Java >= 21, with javac too when KIND is jdk
is_java() {
  [[ -x "$2/bin/java" ]] || return 1
  [[ "$1" != jdk || -x "$2/bin/javac" ]] || return 1
  local major
  major="$(java_major "$2/bin/java")"
  [[ -n "$major" ]] && (( major >= 21 ))
}

# find_java KIND: prints the home of a Java >= 21 (KIND jdk: a JDK; jre: a JDK or a JRE), looking at JAVA_HOME, then
# /usr/lib/jvm (newest first), then the PATH
find_java() {
  local kind="$1" candidate
  if [[ -n "${JAVA_HOME:-}" ]] && is_java "$kind" "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    if is_java "$kind" "$candidate"; then
      echo "$candidate"; return 0
    fi
  done
  if command -v java >/dev/null; then
    candidate="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    if is_java "$kind" "$candidate"; then
      echo "$candidate"; return 0
    fi
  fi
  return 1
}

find_jdk() {
  find_java jdk
}

# jdk_install_hint [KIND]: how to get a JDK (or, for jre, a runtime) >= 21 on this system. Distributions differ:
# Debian 12 packages OpenJDK 17 only, so naming openjdk-21-jdk there sends people to a package that does not exist.
jdk_install_hint() {
  local kind="${1:-jdk}" pkg suffix=jdk
  [[ "$kind" == jre ]] && suffix=jre-headless
  if command -v apt-cache >/dev/null; then
    for pkg in "openjdk-25-$suffix" "openjdk-21-$suffix"; do
      if [[ -n "$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {print $2}')" ]]; then
        echo "apt-get install $pkg"; return
      fi
    done
    [[ "$kind" == jre ]] && suffix=jre
    echo "this system's packages have no Java 21 or newer: install Eclipse Temurin 21 or 25 from Adoptium's apt repository (https://adoptium.net/installation/linux/, package temurin-21-$suffix) or unpack one and set JAVA_HOME"
  elif command -v dnf >/dev/null; then
    if [[ "$kind" == jre ]]; then echo "dnf install java-21-openjdk-headless"; else echo "dnf install java-21-openjdk-devel"; fi
  elif command -v brew >/dev/null; then
    echo "brew install openjdk@21"
  else
    echo "install a Java 21 or newer (e.g. Eclipse Temurin from https://adoptium.net) and set JAVA_HOME"
  fi
}

# use_java KIND: exports JAVA_HOME (and puts it first on the PATH) and sets JAVA_MAJOR, or explains what to install
use_java() {
  local kind="$1" found what="JDK"
  [[ "$kind" == jre ]] && what="Java runtime (JRE or JDK)"
  if ! found="$(find_java "$kind")"; then
    echo "courier: no $what 21 or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); $(jdk_install_hint "$kind")" >&2
    return 1
  fi
  export JAVA_HOME="$found"
  JAVA_MAJOR="$(java_major "$JAVA_HOME/bin/java")"
  export PATH="$JAVA_HOME/bin:$PATH"
}

use_jdk() {
  use_java jdk || return 1
  if (( JAVA_MAJOR >= 23 )); then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# default_heap: a quarter of this machine's memory, at least 256m and at most 2g, so that a server on a small
# machine leaves room for PostgreSQL and the system; 2g where the memory cannot be read. In a container this reads
# the host's memory, not the container's limit: containers set COURIER_HEAP (deploy/kubernetes does).
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

# courier_jvm_opts [SUBCOMMAND]: sets jvm_opts, the options Courier's JVM runs with (after use_java). For serve,
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
