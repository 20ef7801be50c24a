/**
 * TTL leases for keys that expire (Events), shared like kube-apiserver's lease manager: one etcd
 * lease serves every key written within a reuse window (5 % of the TTL, as Kubernetes), granted
 * with TTL + window so no key lives less than its TTL. Without sharing, an event storm would
 * create one lease per event.
 */
import type { Etcd3 } from 'etcd3';

interface Current { id: string; ttl: number; grantedAt: number }

/** Hands out shared leases per TTL. */
export class LeaseManager {
  private readonly current = new Map<number, Current>();
  private readonly pending = new Map<number, Promise<string>>();

  constructor(private readonly client: Etcd3, private readonly reuseFraction = 0.05, private readonly now: () => number = Date.now) {}

  /** A lease ID that keeps a key for at least `ttlSeconds`. */
  leaseFor(ttlSeconds: number): Promise<string> {
    const reuseMs = ttlSeconds * 1000 * this.reuseFraction;
    const cur = this.current.get(ttlSeconds);
    if (cur && this.now() - cur.grantedAt < reuseMs) return Promise.resolve(cur.id);
    let p = this.pending.get(ttlSeconds);
    if (!p) {
      const grantedAt = this.now();
      p = this.client.leaseClient.leaseGrant({ TTL: ttlSeconds + Math.ceil(reuseMs / 1000), ID: 0 })
        .then((res) => { const id = String(res.ID); this.current.set(ttlSeconds, { id, ttl: ttlSeconds, grantedAt }); return id; })
        .finally(() => this.pending.delete(ttlSeconds));
      this.pending.set(ttlSeconds, p);
    }
    return p;
  }
}
