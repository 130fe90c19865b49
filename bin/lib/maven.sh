# Sourced by bin/courier and bin/test: runs Maven through the Maven Wrapper (./mvnw), which fetches the pinned Maven
# from Maven Central on first use and checks its SHA-256, so a machine needs a JDK and nothing else of Maven's.

maven_ready() {
  # the wrapper unpacks the .zip it verifies; without unzip it would fetch the .tar.gz, whose checksum differs
  if ! command -v unzip >/dev/null; then
    echo "courier: the Maven Wrapper needs unzip to unpack Maven (apt-get install unzip)" >&2
    return 1
  fi
  if ! command -v curl >/dev/null && ! command -v wget >/dev/null; then
    echo "courier: the Maven Wrapper needs curl or wget to fetch Maven (apt-get install curl)" >&2
    return 1
  fi
}

# maven ARGS...: runs the project's Maven with ARGS
maven() {
  "$root/mvnw" -f "$root/pom.xml" "$@"
}
