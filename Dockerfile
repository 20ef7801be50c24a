# kubesim: one image for every component (apiserver, scheduler, controller-manager, kubelet,
# container runtime, flanneld, kube-proxy); docker/entrypoint.sh picks the component.
# Builds with the legacy builder (no BuildKit needed) and with no registry at all when
# BASE_IMAGE/ETCD_IMAGE name local images (scripts/offline-images.sh makes them).
ARG BASE_IMAGE=node:20-bookworm-slim
ARG ETCD_IMAGE=quay.io/coreos/etcd:v3.4.34

# etcdctl for the one-shot network-config job and for students poking at the store.
FROM ${ETCD_IMAGE} AS etcd

# Build stage: proto codegen, the TUN/TAP addon (node-gyp), tsc. A checkout whose node_modules
# and addons are already built (air-gapped labs) needs no network and no compiler here.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN ["/bin/sh", "docker/build.sh"]

# Runtime stage: Node 20 plus what a node needs (iproute2, util-linux for unshare/nsenter/mount).
FROM ${BASE_IMAGE}
COPY docker/install-runtime-tools.sh /tmp/install-runtime-tools.sh
RUN ["/bin/sh", "/tmp/install-runtime-tools.sh"]
COPY --from=etcd /usr/local/bin/etcdctl /usr/local/bin/etcdctl
WORKDIR /app
COPY --from=build /src/package.json /app/package.json
COPY --from=build /src/node_modules /app/node_modules
COPY --from=build /src/dist /app/dist
COPY --from=build /src/flanneld/tuntap/build/Release/tuntap.node /app/flanneld/tuntap/build/Release/tuntap.node
COPY --from=build /src/kube-proxy/native/build/Release/tcpproxy.node /app/kube-proxy/native/build/Release/tcpproxy.node
COPY --from=build /src/docker /app/docker
# Addon manifests the `addons` job applies (cli/cluster/addons.ts finds them next to dist/).
COPY --from=build /src/dns/addon.yaml /app/dns/addon.yaml
COPY --from=build /src/ingress/addon.yaml /app/ingress/addon.yaml
COPY --from=build /src/dashboard/addon.yaml /app/dashboard/addon.yaml
ENV PATH=/app/docker/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production
ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["help"]
