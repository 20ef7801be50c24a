/**
 * Items claimed in etcd, one key per item (`<prefix>/<item>`), so every apiserver sharing the
 * etcd sees the same allocations. A claim is a transaction that creates the key only when it
 * does not exist (createRevision == 0): two concurrent claims of one item cannot both win.
 */
import type { Namespace } from 'etcd3';

/** One claimed item as stored: the item and when it was claimed. */
export interface Claim { item: string; claimedAt: number }

/** A set of claimed item names under one etcd prefix. */
export class EtcdClaims {
  /** `prefix` ends without a slash, e.g. `/registry/ranges/serviceips`. */
  constructor(private readonly client: Namespace, readonly prefix: string) {}

  private key(item: string): string {
    return `${this.prefix}/${item}`;
  }

  /** Creates the item's key; false when somebody holds it already. */
  async claim(item: string): Promise<boolean> {
    const key = this.key(item);
    const res = await this.client.if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(JSON.stringify({ claimedAt: new Date().toISOString() })))
      .commit();
    return res.succeeded;
  }

  /** Deletes the item's key (no error when it was not claimed). */
  async release(item: string): Promise<void> {
    await this.client.delete().key(this.key(item));
  }

  /** True when the item's key exists. */
  async has(item: string): Promise<boolean> {
    return (await this.client.get(this.key(item)).string()) !== null;
  }

  /** Every claim under the prefix. */
  async list(): Promise<Claim[]> {
    const all = await this.client.getAll().prefix(`${this.prefix}/`).strings();
    return Object.entries(all).map(([key, value]) => ({ item: key.slice(this.prefix.length + 1), claimedAt: claimedAt(value) }));
  }
}

function claimedAt(value: string): number {
  try {
    const t = Date.parse((JSON.parse(value) as { claimedAt?: string }).claimedAt ?? '');
    return Number.isNaN(t) ? 0 : t;
  } catch {
    return 0; // a hand-written key: treat it as old
  }
}
