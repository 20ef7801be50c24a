/**
 * A live, synchronous copy of one resource read from the apiserver's own registry (what
 * kube-apiserver's authenticators and authorizers read through informers): list, then watch from
 * the list's revision; on any watch failure (410 Gone included) list again after a short, growing
 * delay. Each object is kept as a projection so large kinds (pods) cost little memory.
 */
import type { Registry, RequestContext, ResourceRef } from '../registry/types.js';
import type { KObject } from '../../lib/api/object.js';
import { logLine } from '../rest/log.js';

const SYSTEM: RequestContext = { user: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] } };

/** `namespace/name` of an object ('' namespace for cluster-scoped ones). */
export const mirrorKey = (o: KObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** What a mirror follows: a resource, optionally one namespace, and how an object is kept. */
export interface MirrorSpec<T> {
  ref: ResourceRef;
  namespace?: string;
  /** The part of an object worth keeping (default: the object itself). */
  project?(o: KObject): T;
  /** Told about every change (after the map is updated): old and new projections. */
  onChange?(key: string, before: T | undefined, after: T | undefined): void;
}

/** One resource followed from the registry; reads are synchronous. */
export class RegistryMirror<T = KObject> {
  private items = new Map<string, T>();

  constructor(private readonly registry: Registry, private readonly spec: MirrorSpec<T>) {}

  /** Loads everything once (before serving), then follows changes until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const revision = await this.load();
    void this.follow(revision, signal);
  }

  /** The projection kept for `namespace/name`. */
  get(namespace: string | undefined, name: string): T | undefined { return this.items.get(`${namespace ?? ''}/${name}`); }

  /** True when `namespace/name` exists (its projection may be undefined). */
  has(namespace: string | undefined, name: string): boolean { return this.items.has(`${namespace ?? ''}/${name}`); }

  /** Every projection (optionally of one namespace). */
  values(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return [...this.items.entries()].filter(([k]) => k.startsWith(`${namespace}/`)).map(([, v]) => v);
  }

  private project(o: KObject): T { return this.spec.project ? this.spec.project(o) : o as T; }

  private set(key: string, value: T | undefined): void {
    const before = this.items.get(key);
    if (value === undefined) this.items.delete(key); else this.items.set(key, value);
    this.spec.onChange?.(key, before, value);
  }

  private async load(): Promise<string> {
    const list = await this.registry.list(SYSTEM, this.spec.ref, this.spec.namespace, {});
    const fresh = new Map<string, T>();
    for (const o of list.items) fresh.set(mirrorKey(o), this.project(o));
    const old = this.items;
    this.items = fresh;
    if (this.spec.onChange) {
      for (const [k, v] of old) if (!fresh.has(k)) this.spec.onChange(k, v, undefined);
      for (const [k, v] of fresh) this.spec.onChange(k, old.get(k), v);
    }
    return list.metadata?.resourceVersion ?? '';
  }

  private async follow(revision: string, signal: AbortSignal): Promise<void> {
    let delay = 100;
    while (!signal.aborted) {
      try {
        for await (const ev of this.registry.watch(SYSTEM, this.spec.ref, this.spec.namespace, { resourceVersion: revision }, signal)) {
          delay = 100;
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) revision = rv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.set(mirrorKey(ev.object), this.project(ev.object));
          else if (ev.type === 'DELETED') this.set(mirrorKey(ev.object), undefined);
        }
      } catch (err) {
        if (signal.aborted) return;
        logLine('warn', 'mirror watch failed, relisting', { resource: this.spec.ref.resource, err: (err as Error).message });
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
      try { revision = await this.load(); } catch { /* retried on the next turn */ }
    }
  }
}
