#!/bin/sh
# Runtime stage: makes sure the tools node components run are present. The offline base image
# (scripts/offline-images.sh) already has them all; an official node image gets them from apt.
set -eu
missing=""
for t in ip nft unshare nsenter mount sysctl perl; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
  echo "image: missing:$missing: installing iproute2, nftables, util-linux, mount, procps, perl-base, busybox"
  apt-get update
  apt-get install -y --no-install-recommends iproute2 nftables util-linux mount procps perl-base busybox
  rm -rf /var/lib/apt/lists/*
fi
mkdir -p /run/flannel /run/kubesim /var/lib/kubelet /var/lib/kubesim /var/log/pods
