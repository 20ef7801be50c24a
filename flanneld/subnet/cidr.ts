/** IPv4 networks as numbers, and flannel's subnet key form (`10.244.3.0-24`). */
import { ApiError } from '../../lib/errors.js';

/** An IPv4 network: base address (host order) and prefix length. */
export interface IPv4Net { ip: number; prefixLen: number }

/** The netmask of a prefix length, as an unsigned number. */
export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Parses a dotted quad; undefined when it is not one. */
export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return undefined;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** Formats a host-order address as a dotted quad. */
export function formatIp(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Parses `a.b.c.d/len` (the address is masked to the network); throws an Invalid ApiError. */
export function parseCidr(s: string, field = 'cidr'): IPv4Net {
  const [ipPart, lenPart, extra] = String(s).split('/');
  const ip = parseIp(ipPart ?? '');
  const len = Number(lenPart);
  if (ip === undefined || extra !== undefined || !/^\d{1,2}$/.test(lenPart ?? '') || len > 32) {
    throw new ApiError('Invalid', `${field}: Invalid value: ${JSON.stringify(s)}: must be an IPv4 CIDR like 10.244.0.0/16`);
  }
  return { ip: (ip & maskOf(len)) >>> 0, prefixLen: len };
}

/** `10.244.3.0/24` */
export function formatCidr(n: IPv4Net): string { return `${formatIp(n.ip)}/${n.prefixLen}`; }

/** flannel's etcd key suffix for a subnet: `10.244.3.0-24`. */
export function subnetKey(n: IPv4Net): string { return `${formatIp(n.ip)}-${n.prefixLen}`; }

/** Parses a subnet key suffix; undefined for anything else. */
export function parseSubnetKey(k: string): IPv4Net | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d{1,2})$/.exec(k);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const len = Number(m[2]);
  if (ip === undefined || len > 32 || (ip & maskOf(len)) >>> 0 !== ip) return undefined;
  return { ip, prefixLen: len };
}

/** True when ip lies inside net. */
export function netContains(net: IPv4Net, ip: number): boolean {
  return ((ip & maskOf(net.prefixLen)) >>> 0) === net.ip;
}

/** True when the two networks are the same. */
export function sameNet(a: IPv4Net, b: IPv4Net): boolean { return a.ip === b.ip && a.prefixLen === b.prefixLen; }
