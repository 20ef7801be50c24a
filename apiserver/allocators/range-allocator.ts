/**
 * Allocation over a range of items addressed by index (0 … size-1), shared through etcd.
 * As in Kubernetes, the range has a low "static" band reserved for explicit requests (the
 * `kubernetes` service's .1, cluster DNS's .10): random allocation takes from the upper band
 * and uses the lower band only once the upper band is full.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { ApiError } from '../../lib/errors.js';
import { EtcdClaims } from './etcd-claims.js';

/** Maps items to indexes of a contiguous range and back. */
export interface ItemRange<T> {
  /** Number of allocatable items. */
  size: bigint;
  /** Items below this index are handed out only on request (or when the rest is full). */
  staticBand: bigint;
  /** The index of an item, undefined when it is outside the range. */
  indexOf(item: T): bigint | undefined;
  /** The item at an index. */
  itemAt(index: bigint): T;
  /** The etcd key name of an item (canonical form). */
  keyOf(item: T): string;
  /** Parses an item from its key name. */
  fromKey(key: string): T | undefined;
}

/** Why an allocation failed; each allocator words the ApiError for it. */
export type AllocateFailure = 'taken' | 'out-of-range' | 'full';

/** A uniformly random bigint in [0, n). */
export function randomBelow(n: bigint): bigint {
  if (n <= 0n) return 0n;
  if (n < 2n ** 48n) return BigInt(randomInt(Number(n)));
  const bytes = randomBytes(24);
  return BigInt(`0x${bytes.toString('hex')}`) % n;
}

/** Kubernetes' band size: size/step clamped to [min, max], 0 for tiny ranges. */
export function staticBandSize(size: bigint, min: bigint, max: bigint, step: bigint): bigint {
  if (size < min) return 0n;
  const offset = size / step;
  return offset < min ? min : offset > max ? max : offset;
}

/** Generic allocator over an ItemRange, with one etcd key per allocated item. */
export class RangeAllocator<T> {
  constructor(
    readonly claims: EtcdClaims,
    readonly range: ItemRange<T>,
    private readonly failure: (why: AllocateFailure, requested?: T) => ApiError,
  ) {}

  /** Claims `requested`, or a random free item when none is requested. */
  async allocate(requested?: T): Promise<T> {
    if (requested !== undefined) {
      if (this.range.indexOf(requested) === undefined) throw this.failure('out-of-range', requested);
      if (!(await this.claims.claim(this.range.keyOf(requested)))) throw this.failure('taken', requested);
      return requested;
    }
    const taken = new Set((await this.claims.list()).map((c) => c.item));
    const { size } = this.range;
    const band = this.range.staticBand < size ? this.range.staticBand : size; // tiny ranges: all static
    const item = await this.claimIn(band, size, taken) ?? await this.claimIn(0n, band, taken);
    if (item === undefined) throw this.failure('full');
    return item;
  }

  /** Scans [from, to) from a random start, wrapping, and claims the first free item. */
  private async claimIn(from: bigint, to: bigint, taken: Set<string>): Promise<T | undefined> {
    const width = to - from;
    if (width <= 0n) return undefined;
    const start = randomBelow(width);
    for (let i = 0n; i < width; i++) {
      const item = this.range.itemAt(from + ((start + i) % width));
      const key = this.range.keyOf(item);
      if (taken.has(key)) continue;
      if (await this.claims.claim(key)) return item;
      taken.add(key); // another apiserver won this one meanwhile
    }
    return undefined;
  }

  /** Frees an item (no error when it was free). */
  async release(item: T): Promise<void> {
    await this.claims.release(this.range.keyOf(item));
  }

  /** True when the item is allocated. */
  async isAllocated(item: T): Promise<boolean> {
    return this.claims.has(this.range.keyOf(item));
  }

  /** True when the item lies in the allocatable range. */
  contains(item: T): boolean {
    return this.range.indexOf(item) !== undefined;
  }

  /** Every allocated item. */
  async allocated(): Promise<T[]> {
    return (await this.claims.list()).map((c) => this.range.fromKey(c.item)).filter((x): x is T => x !== undefined);
  }

  /**
   * Makes etcd match the items in use (run at start-up and periodically): claims in-use items
   * that are missing, frees claimed items nobody uses once they are older than `graceMs` (an
   * allocation whose object is not written yet must not be freed under it).
   */
  async repair(inUse: Iterable<T>, opts: { graceMs?: number } = {}): Promise<{ restored: T[]; released: T[] }> {
    const used = new Map<string, T>();
    for (const item of inUse) if (this.range.indexOf(item) !== undefined) used.set(this.range.keyOf(item), item);
    const claims = await this.claims.list();
    const claimed = new Set(claims.map((c) => c.item));
    const restored: T[] = [];
    for (const [key, item] of used) if (!claimed.has(key) && await this.claims.claim(key)) restored.push(item);
    const released: T[] = [];
    const cutoff = Date.now() - (opts.graceMs ?? 0);
    for (const c of claims) {
      if (used.has(c.item) || c.claimedAt > cutoff) continue;
      const item = this.range.fromKey(c.item);
      await this.claims.release(c.item);
      if (item !== undefined) released.push(item);
    }
    return { restored, released };
  }
}
