/**
 * Service ClusterIP allocation from a CIDR (default 10.96.0.0/12), shared by every apiserver
 * through etcd keys `<prefix>/ranges/serviceips/<ip>`. The network address (and, for IPv4, the
 * broadcast address) is never handed out. The first 16-256 addresses (size/16, as Kubernetes'
 * calculateRangeOffset) are the static band: random allocation avoids them until the rest is
 * full, so requested addresses like .1 (`kubernetes`) and .10 (cluster DNS) stay free.
 */
import ipaddr from 'ipaddr.js';
import type { Namespace } from 'etcd3';
import { ApiError } from '../../lib/errors.js';
import { EtcdClaims } from './etcd-claims.js';
import { RangeAllocator, staticBandSize, type ItemRange } from './range-allocator.js';

/** Parses an address strictly (dotted quad or IPv6); undefined when invalid. */
export function parseIP(s: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s);
  if (ipaddr.IPv6.isValid(s)) return ipaddr.IPv6.parse(s);
  return undefined;
}

function toBig(ip: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return ip.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function fromBig(n: bigint, bytes: number): string {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.unshift(Number((n >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(out).toString();
}

/** The address range of a service CIDR: usable addresses between network and broadcast. */
export function serviceIPRange(cidr: string): ItemRange<string> & { cidr: string } {
  if (!ipaddr.isValidCIDR(cidr)) throw new ApiError('Invalid', `invalid service CIDR ${JSON.stringify(cidr)}`);
  const [net, bits] = ipaddr.parseCIDR(cidr);
  const bytes = net.kind() === 'ipv4' ? 4 : 16;
  const hostBits = BigInt(bytes * 8 - bits);
  const network = (toBig(net) >> hostBits) << hostBits;
  const total = 1n << hostBits;
  // Network address excluded always; broadcast too for IPv4 (Kubernetes does the same).
  const size = total - (bytes === 4 ? 2n : 1n);
  if (size <= 0n) throw new ApiError('Invalid', `service CIDR ${cidr} has no usable addresses`);
  const first = network + 1n;
  const canonical = `${fromBig(network, bytes)}/${bits}`;
  return {
    cidr: canonical,
    size,
    staticBand: staticBandSize(total, 16n, 256n, 16n),
    indexOf(ip: string) {
      const parsed = parseIP(ip);
      if (!parsed || (parsed.kind() === 'ipv4') !== (bytes === 4)) return undefined;
      const i = toBig(parsed) - first;
      return i >= 0n && i < size ? i : undefined;
    },
    itemAt: (i: bigint) => fromBig(first + i, bytes),
    keyOf: (ip: string) => parseIP(ip)?.toString() ?? ip,
    fromKey: (key: string) => parseIP(key)?.toString(),
  };
}

/** Allocates service ClusterIPs; errors carry Kubernetes' field error messages (the caller adds the field). */
export class ClusterIPAllocator extends RangeAllocator<string> {
  readonly cidr: string;

  /** `prefix` is the registry root, e.g. `/registry`. */
  constructor(client: Namespace, cidr: string, opts: { prefix?: string } = {}) {
    const range = serviceIPRange(cidr);
    super(new EtcdClaims(client, `${opts.prefix ?? '/registry'}/ranges/serviceips`), range, (why, ip) => {
      if (why === 'taken') return new ApiError('Invalid', `failed to allocate IP ${ip}: provided IP is already allocated`);
      if (why === 'out-of-range') return new ApiError('Invalid', `failed to allocate IP ${ip}: provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.cidr}`);
      return new ApiError('Internal', 'Internal error occurred: failed to allocate a serviceIP: range is full');
    });
    this.cidr = range.cidr;
  }

  /** Allocates `requested` (Invalid when taken or outside the range) or a random free address. */
  override async allocate(requested?: string): Promise<string> {
    if (requested === undefined) return super.allocate();
    const ip = parseIP(requested);
    if (!ip) throw new ApiError('Invalid', `failed to allocate IP ${requested}: must be a valid IP address`);
    return super.allocate(ip.toString());
  }
}
