#!/bin/bash
# Builds the two base images kubesim's compose stack needs from what this host already has,
# so `docker compose up --build` works in an air-gapped lab with no registry at all:
#   kubesim-base:offline  the host's node, a real shell (dash: busybox's sh would shadow `ip`
#                         with its own applet), iproute2, nftables (flanneld --ip-masq), util-linux, coreutils, perl-base,
#                         busybox (as a program, for the busybox image), and their libraries
#   kubesim-etcd:offline  the host's etcd + etcdctl and their libraries, nothing else
# Usage: scripts/offline-images.sh [--print-env]
# Then:  BASE_IMAGE=kubesim-base:offline ETCD_IMAGE=kubesim-etcd:offline docker compose up -d --build
set -euo pipefail

BASE_TAG=${KUBESIM_BASE_IMAGE:-kubesim-base:offline}
ETCD_TAG=${KUBESIM_ETCD_IMAGE:-kubesim-etcd:offline}
work=$(mktemp -d /tmp/kubesim-offline.XXXXXX)
trap 'rm -rf "$work"' EXIT

die() { echo "offline-images: $*" >&2; exit 1; }
command -v docker >/dev/null || die "docker is not installed (apt-get install -y docker.io)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (start dockerd)"

# copy_paths ROOT < list: copies the listed paths (symlinks stay symlinks) below ROOT in one tar
# pipe; --keep-directory-symlink lets /bin/x land in usr/bin through the merged-/usr symlinks.
copy_paths() {
  sed 's|^/||' | tar -C / --no-recursion --ignore-failed-read -cf - -T - | tar -C "$1" --keep-directory-symlink -xf -
}

# libs_of FILE...: the shared libraries (and the loader) the programs and libraries among FILEs need.
libs_of() {
  local f
  for f in "$@"; do
    case "$f" in */bin/*|*/sbin/*|*.so|*.so.*) ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true ;; esac
  done | sort -u | while read -r lib; do echo "$lib"; realpath "$lib"; done
}

# skeleton ROOT: merged-/usr symlinks and the few files every Linux program expects.
skeleton() {
  local root=$1
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,run,var/lib,var/log,proc,sys,dev,root}
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

echo "offline-images: $BASE_TAG from the host's node $(node -v 2>/dev/null || echo '?') and Debian packages"
base="$work/base"
skeleton "$base"
pkgs="libc6 dash bash coreutils util-linux mount iproute2 nftables procps perl-base busybox findutils grep sed tar gzip libc-bin"
files=()
for pkg in $pkgs; do
  dpkg -s "$pkg" >/dev/null 2>&1 || die "package $pkg is not installed on this host (apt-get install -y $pkg)"
  while IFS= read -r p; do
    case "$p" in /*) ;; *) continue ;; esac  # "diverted by" notes
    case "$p" in /usr/share/doc/*|/usr/share/man/*|/usr/share/info/*|/usr/share/locale/*|/usr/share/lintian/*|/.) continue ;; esac
    [ -d "$p" ] && continue  # folders (and /bin-style symlinks to them) come with their files
    files+=("$p")
  done < <(dpkg -L "$pkg")
done
node_bin=$(command -v node) || die "node is not installed on this host"
files+=("$node_bin")
printf '%s\n' "${files[@]}" | copy_paths "$base"
libs_of "${files[@]}" | copy_paths "$base"
# /bin/sh must be dash: Debian's busybox sh runs its own `ip` applet even when iproute2 exists.
ln -sf dash "$base/usr/bin/sh"
[ "$node_bin" = /usr/bin/node ] || ln -sf "$node_bin" "$base/usr/bin/node"
tar -C "$base" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/sh"]' - "$BASE_TAG" >/dev/null

echo "offline-images: $ETCD_TAG from the host's $(etcd --version 2>/dev/null | head -1 || echo etcd)"
etcdroot="$work/etcd"
mkdir -p "$etcdroot"/usr/local/bin "$etcdroot"/usr/{lib,lib64} "$etcdroot"/{tmp,var/lib/etcd,etc}
ln -s usr/lib "$etcdroot/lib"; ln -s usr/lib64 "$etcdroot/lib64"
chmod 1777 "$etcdroot/tmp"
for b in etcd etcdctl; do
  src=$(command -v "$b") || die "$b is not installed on this host (apt-get install -y etcd-server etcd-client)"
  cp -L "$src" "$etcdroot/usr/local/bin/$b"
  libs_of "$src" | copy_paths "$etcdroot"
done
printf 'hosts: files dns\n' > "$etcdroot/etc/nsswitch.conf"
tar -C "$etcdroot" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin' --change 'ENV ETCDCTL_API=3' \
  --change 'CMD ["/usr/local/bin/etcd"]' - "$ETCD_TAG" >/dev/null

echo "offline-images: done. Use them with:"
echo "  export BASE_IMAGE=$BASE_TAG ETCD_IMAGE=$ETCD_TAG"
echo "  docker compose up -d --build     # or: docker-compose up -d --build"
