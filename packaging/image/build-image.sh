#!/usr/bin/env bash
# build-image.sh JAR VERSION OUT.tar: Courier's OCI container image, built without a Docker daemon or a registry and
# saved as an OCI archive (podman load / skopeo copy / docker load read it).
#   base:    a minimal Debian 12 root file system from Debian's packages (debootstrap --variant=minbase)
#   Java:    a runtime cut down by jlink from the JDK this script runs with, to the modules the jar uses (jdeps)
#   Courier: /opt/courier/{courier.jar, bin/courier, bin/lib/jdk.sh, bin/entrypoint}
#   runs as: user courier (10001), working directory /var/lib/courier; EXPOSE 8080; DATABASE_URL required
# Needs root, debootstrap and buildah (installed from Debian's packages when missing). The debootstrapped base is
# cached in target/image-cache; delete it to take the newest Debian packages.
set -euo pipefail

if (( $# != 3 )); then
  echo "usage: $0 JAR VERSION OUT.tar" >&2
  exit 2
fi
jar="$(readlink -f "$1")"
version="$2"
out="$(readlink -m "$3")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
uid=10001
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

say() { echo "courier: image: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "building the image needs root (debootstrap, and buildah with the root storage); skipped"
  exit 3
fi
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v buildah >/dev/null || missing+=(buildah)
if (( ${#missing[@]} > 0 )); then
  say "installing ${missing[*]} from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# shellcheck source=../../bin/lib/jdk.sh
source "$root/bin/lib/jdk.sh"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/jlink" ]] || use_java jdk

work="$(mktemp -d "${TMPDIR:-/var/tmp}/courier-image.XXXXXX")"
container=""
cleanup() {
  [[ -n "$container" ]] && buildah rm "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
rootfs="$work/rootfs"

# 1. the base: minimal Debian, cached as a tarball (a debootstrap takes a minute or two)
cache="$root/target/image-cache/debian-$suite-minbase.tar"
if [[ ! -f "$cache" ]]; then
  say "debootstrap --variant=minbase $suite (from $mirror)"
  mkdir -p "$(dirname "$cache")"
  debootstrap --variant=minbase "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # what a runtime image does not need: package caches and lists, documentation, manuals, translations
  rm -rf "$work/base"/var/cache/apt/* "$work/base"/var/lib/apt/lists/* "$work/base"/usr/share/doc/* \
    "$work/base"/usr/share/man/* "$work/base"/usr/share/info/* "$work/base"/usr/share/locale/* \
    "$work/base"/var/log/*.log "$work/base"/var/cache/debconf/*-old
  tar -C "$work/base" --numeric-owner -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
  rm -rf "$work/base"
fi
mkdir -p "$rootfs"
tar -C "$rootfs" --numeric-owner -xf "$cache"

# 2. the Java runtime: the modules the jar uses, plus those it reaches only by reflection or service lookup
modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps -q --multi-release 21 --print-module-deps "$jar")"
modules="$modules,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns"
say "jlink $("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/ {print $2}'): $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$rootfs/opt/courier/jre"

# 3. Courier: the jar, the packaged launcher with the bash it shares with bin/courier, the entrypoint
install -D -m 0644 "$jar" "$rootfs/opt/courier/courier.jar"
install -D -m 0755 "$root/packaging/bin/courier" "$rootfs/opt/courier/bin/courier"
install -D -m 0644 "$root/bin/lib/jdk.sh" "$rootfs/opt/courier/bin/lib/jdk.sh"
install -D -m 0755 "$here/entrypoint" "$rootfs/opt/courier/bin/entrypoint"
ln -s /opt/courier/bin/courier "$rootfs/usr/local/bin/courier"

# 4. the user it runs as, and its one writable directory
echo "courier:x:$uid:$uid:Courier:/var/lib/courier:/usr/sbin/nologin" >>"$rootfs/etc/passwd"
echo "courier:x:$uid:" >>"$rootfs/etc/group"
echo "courier:!:19000::::::" >>"$rootfs/etc/shadow"
install -d -m 0750 -o "$uid" -g "$uid" "$rootfs/var/lib/courier"

# 5. one layer, the configuration, an OCI archive
say "buildah: one layer from the root file system ($(du -sh "$rootfs" | cut -f1))"
container="$(buildah from scratch)"
mountpoint="$(buildah mount "$container")"
cp -a "$rootfs/." "$mountpoint/"
buildah umount "$container" >/dev/null
buildah config \
  --user "$uid:$uid" \
  --workingdir /var/lib/courier \
  --env JAVA_HOME=/opt/courier/jre \
  --env PATH=/opt/courier/bin:/opt/courier/jre/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env COURIER_PORT=8080 \
  --env COURIER_DATA_DIR=/var/lib/courier \
  --port 8080/tcp \
  --stop-signal SIGTERM \
  --entrypoint '["/opt/courier/bin/entrypoint"]' \
  --cmd serve \
  --label org.opencontainers.image.title=courier \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.description="Courier messaging service; probes: GET /health/live and /health/ready on 8080" \
  --label org.opencontainers.image.base.name="debian:$suite (debootstrap minbase) + jlink runtime" \
  "$container"
image="localhost/courier:$version"
buildah commit --quiet --format oci --rm "$container" "$image" >/dev/null
container=""
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah push --quiet "$image" "oci-archive:$out:$image" >/dev/null
buildah rmi "$image" >/dev/null 2>&1 || true
say "wrote $out ($(du -h "$out" | cut -f1)): podman load -i $(basename "$out")"
