#!/usr/bin/env bash
# build-image.sh JAR VERSION OUT.tar: Courier's OCI container image, built without a Docker daemon or a registry and
# saved as an OCI archive (podman load / skopeo copy / docker load read it).
#   base:    no distribution image: the C library, bash, coreutils and mawk, unpacked from Debian 12's packages
#   Java:    a runtime cut down by jlink from the JDK this script runs with, to the modules the jar uses (jdeps)
#   Courier: /opt/courier/{courier.jar, bin/courier, bin/lib/jdk.sh, bin/entrypoint}
#   runs as: user courier (10001), working directory /var/lib/courier; EXPOSE 8080; DATABASE_URL required
# Needs root, apt (a Debian host) and buildah (installed from Debian's packages when missing).
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

say() { echo "courier: image: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "building the image needs root (a chroot, and buildah with the root storage); skipped"
  exit 3
fi
missing=()
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

# 1. the base: no distribution image, only what the JVM and the two bash scripts run on, unpacked from Debian's
#    packages (the C library for the JVM; bash, coreutils and mawk for the launcher), so that a build takes seconds
#    instead of a debootstrap's minutes. Their copyright files stay, the rest of their documentation goes.
packages=(base-files libc6 libgcc-s1 gcc-12-base bash libtinfo6 coreutils libacl1 libattr1 libgmp10 libselinux1
  libpcre2-8-0 mawk)
mkdir -p "$work/debs" "$rootfs"
say "base from Debian packages: ${packages[*]}"
if ! (cd "$work/debs" && apt-get download -qq "${packages[@]}" >/dev/null 2>&1); then
  apt-get update -qq
  (cd "$work/debs" && apt-get download -qq "${packages[@]}" >/dev/null)
fi
# merged /usr, as Debian 12 lays it out: /bin, /sbin and /lib* are links into /usr
mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,tmp,var/tmp,run,proc,sys,dev,root}
for dir in bin sbin lib lib64; do ln -s "usr/$dir" "$rootfs/$dir"; done
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
for deb in "$work"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$rootfs"
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >>"$rootfs/usr/share/doc/packages.txt"
done
ln -s mawk "$rootfs/usr/bin/awk" # what mawk's postinst does through update-alternatives
find "$rootfs/usr/share/doc" -type f ! -name copyright ! -name packages.txt -delete
rm -rf "$rootfs"/usr/share/{man,info,locale,lintian,bash-completion,bug}
cat >"$rootfs/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
chroot "$rootfs" /bin/bash -c 'dirname /a/b && echo | awk "{}" && echo | sort -V' >/dev/null \
  || { say "the base does not run bash, awk and sort"; exit 1; }

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
mkdir -p "$rootfs/usr/local/bin"
ln -s /opt/courier/bin/courier "$rootfs/usr/local/bin/courier"
# the runtime must start on this base alone (a missing library shows here, not in a cluster)
mount -t proc proc "$rootfs/proc"
status=0
chroot "$rootfs" /opt/courier/jre/bin/java -version >"$work/java-version.log" 2>&1 || status=$?
umount "$rootfs/proc"
if (( status != 0 )); then
  say "the jlink'ed runtime does not start on the base:"; cat "$work/java-version.log" >&2; exit 1
fi

# 4. the user it runs as, and its one writable directory
echo "courier:x:$uid:$uid:Courier:/var/lib/courier:/usr/sbin/nologin" >>"$rootfs/etc/passwd"
echo "courier:x:$uid:" >>"$rootfs/etc/group"
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
  --label org.opencontainers.image.base.name="scratch + Debian $suite packages (packages.txt) + jlink runtime" \
  "$container"
image="localhost/courier:$version"
buildah commit --quiet --format oci --rm "$container" "$image" >/dev/null
container=""
mkdir -p "$(dirname "$out")"
rm -f "$out"
buildah push --quiet "$image" "oci-archive:$out:$image" >/dev/null
buildah rmi "$image" >/dev/null 2>&1 || true
say "wrote $out ($(du -h "$out" | cut -f1)): podman load -i $(basename "$out")"
