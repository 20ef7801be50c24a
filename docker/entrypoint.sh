#!/bin/sh
# Entry point of the kubesim image: `<component>` runs that component with the flags
# `kubesim up` gives it (cli/cluster/components.ts), addresses taken from the environment:
#   ETCD_SERVERS   etcd client URLs            (default http://etcd:2379; compose.yaml: https://etcd:2379)
#   APISERVER      apiserver REST URL          (default http://apiserver:8080)
#   GRPC_SERVER    apiserver gRPC address(es)  (default apiserver:8081; ip:port,ip:port for HA)
#   NODE_NAME      node components: the Kubernetes node name (default: the container hostname)
#   NODE_IP        node components: the underlay address (default: the address of NODE_IFACE)
#   NODE_IFACE     the underlay interface (default eth0)
#   FAST_FAILOVER  controller-manager: 10 s node grace period and eviction (labs, chaos)
#   KUBESIM_V      log verbosity (default 1)
#   POD_GRPC_SERVER, POD_APISERVER  addons: the apiserver as pods reach it (fixed addresses)
#   PKI            the credentials volume (`pki` job, default /pki). When it holds them the
#                  apiserver serves HTTPS on 6443 (plain HTTP on 127.0.0.1 only, Node,RBAC) and
#                  every component presents its own identity; without them (the testcontainers
#                  stack) everything speaks plain HTTP as before.
#   ADVERTISE_ADDRESS  apiserver: the address in the `kubernetes` Service (default: eth0's)
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
PKI=${PKI:-/pki}
CERTS=$PKI/pki
KUBECONFIGS=$PKI/kubeconfigs

# secure: true when the pki job has made the stack's credentials.
secure() { [ -f "$CERTS/admin.crt" ]; }
# etcd_tls WHO: etcd's CA and WHO's client certificate (apiserver, flanneld) when etcd is https.
etcd_tls() {
  case "$ETCD" in https://*) echo "--etcd-cafile $CERTS/etcd/ca.crt --etcd-certfile $CERTS/$1-etcd-client.crt --etcd-keyfile $CERTS/$1-etcd-client.key" ;; esac
}
# client_flags IDENTITY: how a component reaches the apiserver (its own kubeconfig when secure).
client_flags() {
  if secure; then echo "--kubeconfig $KUBECONFIGS/$1.kubeconfig --grpc-server $GRPC"; else echo "--master $API --grpc-server $GRPC"; fi
}

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
    if secure; then
      # As `kubesim up`: HTTPS with client certificates and tokens, Node,RBAC; the plain port
      # stays inside this container (healthcheck); kubelets are reached over HTTPS.
      set -- --secure-port 6443 --cert-dir "$CERTS" --advertise-address "${ADVERTISE_ADDRESS:-$(node_ip)}" \
        --insecure-bind-address 127.0.0.1 --authorization-mode Node,RBAC --token-auth-file "$CERTS/tokens.csv" \
        --kubelet-client-certificate "$CERTS/apiserver-kubelet-client.crt" --kubelet-client-key "$CERTS/apiserver-kubelet-client.key" \
        --kubelet-certificate-authority "$CERTS/ca.crt" "$@"
    fi
    # shellcheck disable=SC2046 # etcd_tls gives words without spaces
    exec node "$D/apiserver/main.js" --etcd-servers "$ETCD" $(etcd_tls apiserver) --bind-address 0.0.0.0 --port 8080 --grpc-port 8081 \
      --service-cluster-ip-range "$SERVICE_CIDR" "--v=$V" "$@" ;;
  scheduler)
    # shellcheck disable=SC2046 # client_flags are words without spaces
    exec node "$D/scheduler/main.js" $(client_flags kube-scheduler) --leader-elect --bind-address 0.0.0.0 "--v=$V" "$@" ;;
  controller-manager)
    set -- --leader-elect --cluster-cidr "$CLUSTER_CIDR" "$@"
    [ "${FAST_FAILOVER:-}" = true ] && set -- "$@" --node-monitor-grace-period 10s --pod-eviction-timeout 10s
    # The CA every pod's ServiceAccount volume carries (ConfigMap kube-root-ca.crt in each namespace).
    # Each controller acts as its own ServiceAccount in kube-system (least privilege, as kubeadm).
    if secure; then set -- "$@" --root-ca-file "$CERTS/ca.crt" --use-service-account-credentials --service-account-private-key-file "$CERTS/sa.key"; fi
    # shellcheck disable=SC2046
    exec node "$D/controller-manager/main.js" $(client_flags kube-controller-manager) "--v=$V" "$@" ;;
  node)
    # The node container only owns the network namespace the node's components join.
    exec sleep infinity ;;
  flanneld)
    writable_proc_sys
    # /healthz, /metrics and /tables on the node address, port 8471 as in `kubesim up` (the dashboard's network view reads them).
    # shellcheck disable=SC2046
    exec node "$D/flanneld/main.js" --etcd-endpoints "$ETCD" $(etcd_tls flanneld) --public-ip "$(node_ip)" --iface "${NODE_IFACE:-eth0}" \
      --subnet-file "$SUBNET_FILE" --ip-masq --healthz-ip "$(node_ip)" --healthz-port 8471 "$@" ;;
  runtime)
    writable_proc_sys
    exec node "$D/kubelet/runtime/main.js" --listen "$CRI" --root-dir "$NODE_DIR/runtime" --log-root "$NODE_DIR/pods" \
      --subnet-file "$SUBNET_FILE" --netns-prefix cni- --cgroup-prefix "kubesim-$NODE_NAME" "$@" ;;
  kubelet)
    ip=$(node_ip)
    if secure; then
      # Its own identity system:node:<name>, and HTTPS for its server (only the apiserver gets in).
      set -- --tls-cert-file "$CERTS/kubelet-server-$NODE_NAME.crt" --tls-private-key-file "$CERTS/kubelet-server-$NODE_NAME.key" \
        --client-ca-file "$CERTS/ca.crt" "$@"
    fi
    # shellcheck disable=SC2046
    exec node "$D/kubelet/main.js" $(client_flags "kubelet-$NODE_NAME") --node-name "$NODE_NAME" --node-ip "$ip" \
      --address "$ip" --container-runtime-endpoint "$CRI" --root-dir "$NODE_DIR/kubelet" --pod-log-root "$NODE_DIR/pods" \
      --cluster-dns 10.96.0.10 --cluster-domain cluster.local --flannel-subnet-file "$SUBNET_FILE" \
      --nfs-root "${NFS_ROOT:-/nfs}" "--v=$V" "$@" ;;
  kube-proxy)
    # shellcheck disable=SC2046
    exec node "$D/kube-proxy/main.js" $(client_flags kube-proxy) --hostname-override "$NODE_NAME" \
      --cluster-cidr "$CLUSTER_CIDR" "--v=$V" "$@" ;;
  addons)
    # One-shot: DNS, ingress and dashboard addons (cli/commands/compose.ts), then waits for DNS.
    exec node "$D/cli/main.js" compose addons --pki "$PKI" --grpc-server "$GRPC" --pod-grpc-server "${POD_GRPC_SERVER:-$GRPC}" \
      --pod-apiserver "${POD_APISERVER:-$API}" "$@" ;;
  pki)
    # One-shot: the stack's credentials into $PKI (kept when there; new nodes: --nodes node-4).
    exec node "$D/cli/main.js" compose pki --dir "$PKI" "$@" ;;
  kubeconfig)
    # Writes the host's kubeconfig (HTTPS on the published 127.0.0.1 port, admin certificate) into /out.
    exec node "$D/cli/main.js" compose kubeconfig --pki "$PKI" --out /out/kubeconfig "$@" ;;
  healthy)
    exec node /app/docker/healthy.mjs "$@" ;;
  help|--help|-h)
    sed -n '2,19p' "$0"; echo "components: apiserver scheduler controller-manager node flanneld runtime kubelet kube-proxy pki addons kubeconfig healthy" ;;
  *)
    exec "$component" "$@" ;;
esac
