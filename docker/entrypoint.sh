#!/bin/sh
# Entry point of the kubesim image: `<component>` runs that component with the flags
# `kubesim up` gives it (cli/cluster/components.ts), addresses taken from the environment:
#   ETCD_SERVERS   etcd client URLs            (default http://etcd:2379)
#   APISERVER      apiserver REST URL          (default http://apiserver:8080)
#   GRPC_SERVER    apiserver gRPC address(es)  (default apiserver:8081; ip:port,ip:port for HA)
#   NODE_NAME      node components: the Kubernetes node name (default: the container hostname)
#   NODE_IP        node components: the underlay address (default: the address of NODE_IFACE)
#   NODE_IFACE     the underlay interface (default eth0)
#   FAST_FAILOVER  controller-manager: 10 s node grace period and eviction (labs, chaos)
#   KUBESIM_V      log verbosity (default 1)
#   POD_GRPC_SERVER, POD_APISERVER  addons: the apiserver as pods reach it (fixed addresses)
# Each component is `exec`ed: it gets SIGTERM from docker (through `init: true`) directly.
set -eu
D=/app/dist
V=${KUBESIM_V:-1}
ETCD=${ETCD_SERVERS:-http://etcd:2379}
API=${APISERVER:-http://apiserver:8080}
GRPC=${GRPC_SERVER:-apiserver:8081}
CLUSTER_CIDR=${CLUSTER_CIDR:-10.244.0.0/16}
SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/12}
NODE_NAME=${NODE_NAME:-$(cat /proc/sys/kernel/hostname)}
# A node's state: one volume shared by its flanneld, runtime and kubelet containers.
NODE_DIR=${NODE_DIR:-/node}
SUBNET_FILE=$NODE_DIR/run/flannel/subnet.env
CRI=unix://$NODE_DIR/run/cri.sock

node_ip() {
  if [ -n "${NODE_IP:-}" ]; then echo "$NODE_IP"; return; fi
  ip -4 -o addr show dev "${NODE_IFACE:-eth0}" | sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' | head -n 1
}

# /proc/sys is read-only in containers; components that own network or UTS settings remount it
# (their container has CAP_SYS_ADMIN; the remount stays in this container's mount namespace).
writable_proc_sys() {
  mount -o remount,rw /proc/sys 2>/dev/null || echo "entrypoint: /proc/sys stays read-only (no CAP_SYS_ADMIN?)" >&2
  mkdir -p "$NODE_DIR/run/flannel"
}

component=${1:-help}
[ $# -gt 0 ] && shift
case "$component" in
  apiserver)
    exec node "$D/apiserver/main.js" --etcd-servers "$ETCD" --bind-address 0.0.0.0 --port 8080 --grpc-port 8081 \
      --service-cluster-ip-range "$SERVICE_CIDR" "--v=$V" "$@" ;;
  scheduler)
    exec node "$D/scheduler/main.js" --master "$API" --grpc-server "$GRPC" --leader-elect --bind-address 0.0.0.0 "--v=$V" "$@" ;;
  controller-manager)
    set -- --leader-elect --cluster-cidr "$CLUSTER_CIDR" "$@"
    [ "${FAST_FAILOVER:-}" = true ] && set -- "$@" --node-monitor-grace-period 10s --pod-eviction-timeout 10s
    exec node "$D/controller-manager/main.js" --master "$API" --grpc-server "$GRPC" "--v=$V" "$@" ;;
  node)
    # The node container only owns the network namespace the node's components join.
    exec sleep infinity ;;
  flanneld)
    writable_proc_sys
    exec node "$D/flanneld/main.js" --etcd-endpoints "$ETCD" --public-ip "$(node_ip)" --iface "${NODE_IFACE:-eth0}" \
      --subnet-file "$SUBNET_FILE" --ip-masq "$@" ;;
  runtime)
    writable_proc_sys
    exec node "$D/kubelet/runtime/main.js" --listen "$CRI" --root-dir "$NODE_DIR/runtime" --log-root "$NODE_DIR/pods" \
      --subnet-file "$SUBNET_FILE" --netns-prefix cni- --cgroup-prefix "kubesim-$NODE_NAME" "$@" ;;
  kubelet)
    ip=$(node_ip)
    exec node "$D/kubelet/main.js" --master "$API" --grpc-server "$GRPC" --node-name "$NODE_NAME" --node-ip "$ip" \
      --address "$ip" --container-runtime-endpoint "$CRI" --root-dir "$NODE_DIR/kubelet" --pod-log-root "$NODE_DIR/pods" \
      --cluster-dns 10.96.0.10 --cluster-domain cluster.local --flannel-subnet-file "$SUBNET_FILE" \
      --nfs-root "${NFS_ROOT:-/nfs}" "--v=$V" "$@" ;;
  kube-proxy)
    exec node "$D/kube-proxy/main.js" --master "$API" --grpc-server "$GRPC" --hostname-override "$NODE_NAME" \
      --cluster-cidr "$CLUSTER_CIDR" "--v=$V" "$@" ;;
  addons)
    # One-shot: DNS, ingress and dashboard addons (cli/commands/compose.ts), then waits for DNS.
    exec node "$D/cli/main.js" compose addons --grpc-server "$GRPC" --pod-grpc-server "${POD_GRPC_SERVER:-$GRPC}" \
      --pod-apiserver "${POD_APISERVER:-$API}" "$@" ;;
  kubeconfig)
    # Writes the host's kubeconfig (server on the published 127.0.0.1 port) into /out.
    exec node /app/docker/write-kubeconfig.mjs "$@" ;;
  healthy)
    exec node /app/docker/healthy.mjs "$@" ;;
  help|--help|-h)
    sed -n '2,14p' "$0"; echo "components: apiserver scheduler controller-manager node flanneld runtime kubelet kube-proxy addons kubeconfig healthy" ;;
  *)
    exec "$component" "$@" ;;
esac
