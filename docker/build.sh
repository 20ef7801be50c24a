#!/bin/sh
# Build stage of the Dockerfile: turns the checkout in /src into dist/ plus the native addon.
# Each step is skipped when the checkout already carries its output, so an air-gapped lab whose
# host ran `npm ci && npm run native` builds with no registry and no compiler.
set -eu
cd /src
if [ ! -d node_modules/typescript ]; then
  echo "build: node_modules missing: npm ci (needs the npm registry)"
  npm ci
fi
node scripts/gen-proto.mjs
if [ ! -f flanneld/tuntap/build/Release/tuntap.node ] || [ ! -f kube-proxy/native/build/Release/tcpproxy.node ] || [ "${KUBESIM_NATIVE_REBUILD:-0}" = 1 ]; then
  if ! command -v g++ >/dev/null 2>&1; then
    echo "build: no prebuilt native addons and no compiler: installing python3, make, g++ (needs apt)"
    apt-get update && apt-get install -y --no-install-recommends python3 make g++
  fi
  # Official node images carry the headers: node-gyp must not download them.
  npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" KUBESIM_NATIVE_REBUILD=1 node scripts/build-native.mjs
fi
# Other engineers' files may carry type errors while they work; tsc still emits JS for them.
# The image is usable as long as every component's entry point was emitted.
node node_modules/typescript/bin/tsc -p tsconfig.json || echo "build: tsc reported type errors (JS emitted anyway)"
node scripts/copy-assets.mjs
# The runtime's podnet addon (optional: without it the runtime runs `ip`) travels inside dist/.
if [ -f kubelet/netlink/build/Release/podnet.node ]; then
  mkdir -p dist/kubelet/netlink/build/Release && cp kubelet/netlink/build/Release/podnet.node dist/kubelet/netlink/build/Release/
fi
# The dashboard addon's web UI (dist/dashboard/web); the dashboard's API works without it.
{ node node_modules/typescript/bin/tsc -p dashboard/web && node node_modules/vite/bin/vite.js build --config dashboard/web/vite.config.mjs; } \
  || echo "build: dashboard web UI not built (the dashboard addon serves its API only)"
for c in apiserver scheduler controller-manager kubelet kubelet/runtime flanneld kube-proxy cli; do
  test -f "dist/$c/main.js" || { echo "build: dist/$c/main.js was not emitted" >&2; exit 1; }
done
# The runtime image gets node_modules without compilers, bundlers and test tools.
node docker/prune-dev.mjs
