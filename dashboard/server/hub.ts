/**
 * ClusterHub: one set of informers (one list+watch per kind for the whole server, however many
 * browsers are open) feeding a store of slim views, and a fan-out of batched changes to
 * subscribers. Changes are coalesced per key for `flushMs` so a rolling update of 100 pods is a
 * handful of messages, and a key changed twice in a batch is sent once (level, not events).
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { InformerFactory, type SharedInformer } from '../../lib/client/informer.js';
import { KINDS } from './kinds.js';
import type { NodeNetwork } from './network.js';
import type { ConnectionsView } from './connections.js';
import { slim, WATCHED_KINDS, type Slim, type WatchedKind } from './slim.js';

/** One batch of changes: slim views to upsert, keys that are gone, and new overlay rates if any. */
export interface Delta { upserts: Slim[]; deletes: string[]; network?: NodeNetwork[]; connections?: ConnectionsView }

/** A subscriber gets every Delta after the snapshot it was handed. */
export type Subscriber = (d: Delta) => void;

/** Options of the hub. */
export interface HubOptions {
  /** Coalescing window for changes (default 50 ms). */
  flushMs?: number;
  /** Events kept in the store, newest first (default 500): the page shows a live tail, not history. */
  maxEvents?: number;
}

/** The shared live state of the cluster, as slim views. */
export class ClusterHub {
  private readonly store = new Map<string, Slim>();
  private readonly pending = new Map<string, Slim | null>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly informers: SharedInformer<KObject>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly factory: InformerFactory;
  private eventKeys: string[] = [];
  private latestNetwork: NodeNetwork[] = [];
  private latestConnections: ConnectionsView | undefined;

  constructor(client: ApiClient, private readonly opts: HubOptions = {}) {
    this.factory = new InformerFactory(client);
    for (const kind of WATCHED_KINDS) {
      const inf = this.factory.informerFor<KObject>(KINDS[kind].target);
      inf.addEventHandler({
        onAdd: (o) => this.put(kind, o),
        onUpdate: (_old, o) => this.put(kind, o),
        onDelete: (o) => this.drop(slim(kind, o).key),
      });
      this.informers.push(inf);
    }
  }

  /** Starts the informers until `signal` aborts. */
  start(signal: AbortSignal): void {
    this.factory.start(signal);
    signal.addEventListener('abort', () => { clearTimeout(this.timer); this.subscribers.clear(); }, { once: true });
  }

  /** Resolves true once every kind is listed (false if `signal` aborts first). */
  waitForSync(signal: AbortSignal): Promise<boolean> { return this.factory.waitForCacheSync(signal); }

  /** True when every informer has listed once. */
  synced(): boolean { return this.informers.every((i) => i.hasSynced()); }

  /** Every slim view now, plus the pending changes folded in (so snapshot + later deltas = state). */
  snapshot(): Slim[] {
    const out = new Map(this.store);
    for (const [k, v] of this.pending) if (v) out.set(k, v); else out.delete(k);
    return [...out.values()];
  }

  /** The current slim view of one key, if any. */
  snapshotOne(key: string): Slim | undefined {
    const p = this.pending.get(key);
    return p === null ? undefined : (p ?? this.store.get(key));
  }

  /** Adds a subscriber; returns the snapshot it starts from and an unsubscribe function. */
  subscribe(fn: Subscriber): { snapshot: Slim[]; unsubscribe(): void } {
    const snapshot = this.snapshot();
    this.subscribers.add(fn);
    return { snapshot, unsubscribe: () => { this.subscribers.delete(fn); } };
  }

  /** Publishes the overlay's rates (see network.ts) to every subscriber at once. */
  publishNetwork(views: NodeNetwork[]): void {
    this.latestNetwork = views;
    for (const s of this.subscribers) s({ upserts: [], deletes: [], network: views });
  }

  /** Publishes kube-proxy's connection counters per service port (see connections.ts). */
  publishConnections(v: ConnectionsView): void {
    this.latestConnections = v;
    for (const s of this.subscribers) s({ upserts: [], deletes: [], connections: v });
  }

  /** The last connection counters published. */
  connections(): ConnectionsView | undefined { return this.latestConnections; }

  /** The last overlay rates published. */
  network(): NodeNetwork[] { return this.latestNetwork; }

  /** How many subscribers (open browser streams) there are. */
  subscriberCount(): number { return this.subscribers.size; }

  private put(kind: WatchedKind, obj: KObject): void {
    const view = slim(kind, obj);
    if (kind === 'Event') this.trackEvent(view.key);
    this.pending.set(view.key, view);
    this.schedule();
  }

  private drop(key: string): void {
    this.pending.set(key, null);
    this.schedule();
  }

  // Events are unbounded in a busy cluster; keep the newest N keys and forget older ones.
  private trackEvent(key: string): void {
    if (this.store.has(key) || this.pending.has(key)) return;
    this.eventKeys.push(key);
    const max = this.opts.maxEvents ?? 500;
    if (this.eventKeys.length > max * 1.2) {
      const old = this.eventKeys.slice(0, this.eventKeys.length - max);
      this.eventKeys = this.eventKeys.slice(-max);
      for (const k of old) this.pending.set(k, null);
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.opts.flushMs ?? 50);
  }

  private flush(): void {
    this.timer = undefined;
    const delta: Delta = { upserts: [], deletes: [] };
    for (const [k, v] of this.pending) {
      if (v) { this.store.set(k, v); delta.upserts.push(v); } else { this.store.delete(k); delta.deletes.push(k); }
    }
    this.pending.clear();
    if (!delta.upserts.length && !delta.deletes.length) return;
    for (const s of this.subscribers) s(delta);
  }
}
