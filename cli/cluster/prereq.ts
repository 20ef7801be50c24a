/**
 * Checks what `kubesim up` needs on this host and says exactly what is missing and how to get it.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Problem { what: string; fix: string }

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try { accessSync(join(d, bin), constants.X_OK); return true; } catch { return false; }
  });
}

/** Every unmet prerequisite (empty when the host is ready). */
export function checkPrerequisites(distDir: string, components: string[]): Problem[] {
  const problems: Problem[] = [];
  if (process.platform !== 'linux') problems.push({ what: 'kubesim up needs Linux (network namespaces)', fix: 'use `docker compose up` on other systems' });
  if (process.getuid?.() !== 0) problems.push({ what: 'kubesim up must run as root (it creates namespaces, links and mounts)', fix: 'run it with sudo' });
  const tools: [string, string][] = [['etcd', 'etcd-server'], ['etcdctl', 'etcd-client'], ['ip', 'iproute2'], ['unshare', 'util-linux'], ['nsenter', 'util-linux'], ['mount', 'mount'], ['nft', 'nftables']];
  for (const [bin, pkg] of tools) {
    if (!onPath(bin)) problems.push({ what: `\`${bin}\` is not installed`, fix: `apt-get install -y ${pkg}` });
  }
  if (!existsSync('/dev/net/tun')) problems.push({ what: '/dev/net/tun is missing (flanneld needs TUN/TAP)', fix: 'modprobe tun' });
  for (const c of components) {
    if (!existsSync(join(distDir, c, 'main.js'))) problems.push({ what: `component ${c} is not built (${join(distDir, c, 'main.js')})`, fix: 'npm ci && npm run build' });
  }
  return problems;
}
