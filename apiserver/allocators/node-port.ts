/**
 * Service NodePort allocation from a port range (default 30000-32767), shared through etcd keys
 * `<prefix>/ranges/servicenodeports/<port>`. Like Kubernetes, the lowest size/32 ports (16-128)
 * are a static band that random allocation uses last.
 */
import type { Namespace } from 'etcd3';
import { ApiError } from '../../lib/errors.js';
import { EtcdClaims } from './etcd-claims.js';
import { RangeAllocator, staticBandSize, type ItemRange } from './range-allocator.js';

/** Parses "30000-32767" (or a single port "30000"); Invalid on anything else. */
export function parsePortRange(spec: string): { base: number; size: number } {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new ApiError('Invalid', `invalid port range ${JSON.stringify(spec)}: want "<low>-<high>" within 1-65535`);
  return { base: lo, size: hi - lo + 1 };
}

function portRange(spec: string): ItemRange<number> {
  const { base, size } = parsePortRange(spec);
  return {
    size: BigInt(size),
    staticBand: staticBandSize(BigInt(size), 16n, 128n, 32n),
    indexOf: (p: number) => (Number.isInteger(p) && p >= base && p < base + size ? BigInt(p - base) : undefined),
    itemAt: (i: bigint) => base + Number(i),
    keyOf: (p: number) => String(p),
    fromKey: (k: string) => (/^\d+$/.test(k) ? Number(k) : undefined),
  };
}

/** Allocates service NodePorts; errors carry Kubernetes' field error messages (the caller adds the field). */
export class NodePortAllocator extends RangeAllocator<number> {
  readonly portRange: string;

  /** `prefix` is the registry root, e.g. `/registry`. */
  constructor(client: Namespace, range = '30000-32767', opts: { prefix?: string } = {}) {
    const { base, size } = parsePortRange(range);
    const text = `${base}-${base + size - 1}`;
    super(new EtcdClaims(client, `${opts.prefix ?? '/registry'}/ranges/servicenodeports`), portRange(range), (why) => {
      if (why === 'taken') return new ApiError('Invalid', 'provided port is already allocated');
      if (why === 'out-of-range') return new ApiError('Invalid', `provided port is not in the valid range. The range of valid ports is ${text}`);
      return new ApiError('Internal', 'Internal error occurred: failed to allocate a nodePort: range is full');
    });
    this.portRange = text;
  }

  /** Allocates `requested` (Invalid when taken or outside the range) or a random free port. */
  override async allocate(requested?: number | string): Promise<number> {
    if (requested === undefined) return super.allocate();
    const port = Number(requested);
    if (!Number.isInteger(port)) throw new ApiError('Invalid', `provided port ${String(requested)} is not a valid port number`);
    return super.allocate(port);
  }
}
