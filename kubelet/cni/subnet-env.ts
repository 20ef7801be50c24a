/** Parses flannel's /run/flannel/subnet.env (FLANNEL_NETWORK, FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ). */
import { ApiError } from '../../lib/errors.js';

/** The node's pod subnet as flanneld wrote it. */
export interface SubnetEnv {
  /** The whole pod network, e.g. 10.244.0.0/16. */
  network: string;
  /** The node bridge's address: the first address of the node subnet, e.g. 10.244.1.1. */
  gateway: string;
  /** The node subnet's prefix length, e.g. 24. */
  prefix: number;
  mtu: number;
  ipMasq: boolean;
}

/** Parses the KEY=VALUE text of subnet.env; throws Invalid naming the missing/bad key. */
export function parseSubnetEnv(text: string): SubnetEnv {
  const kv = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const network = kv.get('FLANNEL_NETWORK');
  const subnet = kv.get('FLANNEL_SUBNET');
  if (!network || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(network)) throw new ApiError('Invalid', `subnet.env: FLANNEL_NETWORK missing or invalid: ${JSON.stringify(network ?? '')}`);
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet ?? '');
  if (!m || Number(m[2]) > 30) throw new ApiError('Invalid', `subnet.env: FLANNEL_SUBNET missing or invalid: ${JSON.stringify(subnet ?? '')}`);
  const mtu = Number(kv.get('FLANNEL_MTU') ?? '1500');
  if (!Number.isInteger(mtu) || mtu < 576) throw new ApiError('Invalid', `subnet.env: FLANNEL_MTU invalid: ${kv.get('FLANNEL_MTU')}`);
  return { network, gateway: m[1], prefix: Number(m[2]), mtu, ipMasq: kv.get('FLANNEL_IPMASQ') === 'true' };
}

/** IPv4 dotted quad → 32-bit unsigned integer. */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new ApiError('Invalid', `invalid IPv4 address ${JSON.stringify(ip)}`);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

/** 32-bit unsigned integer → IPv4 dotted quad. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The usable pod addresses of a subnet: [network+1, broadcast-1], the gateway excluded by the caller. */
export function hostRange(gateway: string, prefix: number): { first: number; last: number } {
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(gateway) / size) * size;
  return { first: base + 1, last: base + size - 2 };
}
