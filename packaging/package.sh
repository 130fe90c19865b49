#!/usr/bin/env bash
# bin/courier package [--no-image]: builds, in target/dist/,
#   courier-VERSION.tar.gz        the jar, bin/courier (the packaged launcher), the docs and deployment files
#   courier_VERSION_all.deb       the Debian package (jdeb): jar, launcher, courier user, /etc/courier/courier.env,
#                                 a hardened systemd unit
#   courier-VERSION-image.tar     an OCI image archive (packaging/image/build-image.sh; needs root, debootstrap and
#                                 buildah, which it installs from Debian's packages; --no-image skips it)
# The first two come from Maven's dist profile (pom.xml), the image from the script, with no Docker daemon.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
# shellcheck source=../bin/lib/maven.sh
source "$root/bin/lib/maven.sh"

image=yes
for arg in "$@"; do
  case "$arg" in
    --no-image) image=no ;;
    *) echo "usage: bin/courier package [--no-image]" >&2; exit 2 ;;
  esac
done

[[ -n "${JAVA_HOME:-}" ]] || use_jdk
maven_ready
version="$(awk -F'[<>]' '/<version>/ {print $3; exit}' "$root/pom.xml")"
log="$root/target/package.log"
mkdir -p "$root/target/dist"

echo "courier: package: building the jar, the tarball and the .deb (log in target/package.log)" >&2
if ! maven -B -ntp -Pdist -DskipTests package 2>&1 | tee "$log" \
    | awk '/^\[INFO\] --- / { sub(/^\[INFO\] --- /, ""); sub(/ ---$/, ""); print "courier: package: " $0; fflush() }' >&2; then
  echo "courier: package: the build failed; the end of target/package.log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi

if [[ "$image" == yes ]]; then
  status=0
  "$root/packaging/image/build-image.sh" "$root/target/courier.jar" "$version" \
    "$root/target/dist/courier-$version-image.tar" || status=$?
  if (( status == 3 )); then
    echo "courier: package: no image (not root); the tarball and the .deb are built" >&2
  elif (( status != 0 )); then
    exit "$status"
  fi
fi

echo "courier: package: target/dist now holds:" >&2
ls -l "$root/target/dist" >&2
