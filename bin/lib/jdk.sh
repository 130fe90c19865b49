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

use_jdk() {
  local found
  if ! found="$(find_jdk)"; then
    echo "courier: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm); install one, e.g. apt-get install openjdk-21-jdk" >&2
    return 1
  fi
  export JAVA_HOME="$found"
  JAVA_MAJOR="$(java_major "$JAVA_HOME/bin/java")"
  export PATH="$JAVA_HOME/bin:$PATH"
  if (( JAVA_MAJOR >= 23 )); then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}
