/**
 * kube-proxy's native TCP data plane (src/tcpproxy.cc): a thread with an epoll loop accepts on
 * service listeners, picks an endpoint from a balancer that JavaScript fills (round robin, ClientIP
 * affinity, next endpoint on a failed connect, RST when none) and splices the bytes both ways.
 * JavaScript keeps the policy (which endpoints, which kind of traffic) and reads the counters.
 * `available` is false when the addon is not built or KUBESIM_PROXY_NATIVE=0 (the JS proxy is used).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Counter slots filled by stats(). */
export const STAT = { active: 0, total: 1, bytesIn: 2, bytesOut: 3, connectErrors: 4, rejected: 5, open: 6, connections: 7, size: 8 } as const;

/** The addon's functions; endpoint lists are flat arrays [ipv4 as uint32, port, ...]. */
export interface NativeTcpProxy {
  balancer(): number;
  setBalancer(id: number, internal: number[], external: number[], affinityMs: number, live: number[]): void;
  freeBalancer(id: number): void;
  /** Binds and listens (throws the bind error with its code, e.g. EADDRINUSE). */
  listen(host: string, port: number, balancer: number, external: boolean, connectTimeoutMs: number): number;
  close(id: number): void;
  destroy(id: number): void;
  /** Fills out (STAT.size slots); false when the listener is unknown. */
  stats(id: number, out: Float64Array): boolean;
  free(id: number): void;
}

function load(): { native?: NativeTcpProxy; reason?: string } {
  if (process.env.KUBESIM_PROXY_NATIVE === '0') return { reason: 'KUBESIM_PROXY_NATIVE=0' };
  const here = dirname(fileURLToPath(import.meta.url));
  // Source tree and compiled tree (dist/kube-proxy/native) both find the node-gyp output.
  const candidates = [join(here, 'build/Release/tcpproxy.node'), resolve(here, '../../../kube-proxy/native/build/Release/tcpproxy.node')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) return { reason: `addon not built (npm run native); looked in ${candidates.join(', ')}` };
  try {
    return { native: createRequire(import.meta.url)(found) as NativeTcpProxy };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

const loaded = load();
/** The addon, or undefined (see nativeUnavailableReason). */
export const native: NativeTcpProxy | undefined = loaded.native;
/** Why the addon is not used. */
export const nativeUnavailableReason = loaded.reason;

/** An IPv4 address as a uint32 (host order); NaN when not IPv4. */
export function ipv4ToUint(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) return NaN;
  let n = 0;
  for (const s of p) {
    const b = Number(s);
    if (!/^\d{1,3}$/.test(s) || b > 255) return NaN;
    n = n * 256 + b;
  }
  return n;
}
