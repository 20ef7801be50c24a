#!/usr/bin/env node
// Builds every native addon (a folder with binding.gyp) with node-gyp against the running Node's headers.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const addons = ['flanneld/tuntap', 'kube-proxy/native', 'kubelet/netlink'];
const require = createRequire(import.meta.url);
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
for (const dir of addons) {
  if (!existsSync(`${dir}/binding.gyp`)) continue;
  if (existsSync(`${dir}/build/Release`) && process.env.KUBESIM_NATIVE_REBUILD !== '1') {
    const r = spawnSync(process.execPath, [gyp, 'build', '--directory', dir], { stdio: 'inherit' });
    if (r.status === 0) continue;
  }
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--directory', dir], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`native build failed in ${dir}`); process.exit(1); }
}
