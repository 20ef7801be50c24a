/**
 * The network namespace settings kube-proxy relies on (as kube-proxy sets its conntrack and
 * route_localnet sysctls). Userspace proxying makes two TCP connections per client connection, and
 * kube-proxy closes the one to the endpoint first when it passes on the client's FIN, so every
 * short connection leaves a TIME_WAIT socket from the node address to the endpoint for 60 s. Once
 * about half of the ephemeral port range toward one endpoint is in TIME_WAIT, each connect() scans
 * the whole range in the kernel (measured: 30% of kube-proxy's CPU in connect(), 3,500 → 400
 * connections/s). `net.ipv4.tcp_tw_reuse = 1` lets an outgoing connection reuse a TIME_WAIT port
 * once its TCP timestamp is a second old; it is per network namespace (the node's).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { log } from './log.js';

/** Sysctls kube-proxy sets in its network namespace. */
export const PROXY_SYSCTLS: Record<string, string> = { 'net/ipv4/tcp_tw_reuse': '1' };

/** Sets each sysctl that differs; one that cannot be set (read-only /proc/sys) is logged, not fatal. */
export function ensureSysctls(want: Record<string, string> = PROXY_SYSCTLS, root = '/proc/sys'): void {
  for (const [name, value] of Object.entries(want)) {
    const path = `${root}/${name}`;
    try {
      if (readFileSync(path, 'utf8').trim() === value) continue;
      writeFileSync(path, value);
      log('info', 'set sysctl', { name: name.replaceAll('/', '.'), value });
    } catch (err) {
      log('warn', 'cannot set sysctl', { name: name.replaceAll('/', '.'), value, error: (err as Error).message });
    }
  }
}
