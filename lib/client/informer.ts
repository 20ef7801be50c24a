/**
 * SharedInformer: one Reflector filling one Indexer, fanning changes out to event handlers
 * (onAdd/onUpdate/onDelete), with a Lister over the cache. Handlers should only enqueue keys;
 * reconcile reads the cache. A handler added late first gets onAdd for every cached object.
 */
import type { KObject } from '../api/object.js';
import type { ApiClient, ResourceTarget } from './api-client.js';
import { Indexer, keyOf, DEFAULT_INDEXERS, type IndexFunc } from './indexer.js';
import { Lister } from './lister.js';
import { Reflector, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { sleep } from './backoff.js';
import { clientLog } from './log.js';

/** Callbacks for cache changes. Objects are shared: never mutate them. */
export interface EventHandlers<T extends KObject = KObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** Options of a SharedInformer. */
export interface InformerOptions extends ReflectorOptions {
  /** Extra indexes beside namespace, nodeName and ownerUID. */
  indexers?: Record<string, IndexFunc>;
  /** Every period, onUpdate(obj, obj) for every cached object (0 = never), as client-go's resync. */
  resyncPeriodMs?: number;
}

/** An informer over one resource (optionally filtered by label/field selector). */
export class SharedInformer<T extends KObject = KObject> implements ReflectorSink<T> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  private readonly reflector: Reflector<T>;
  private readonly handlers: EventHandlers<T>[] = [];
  private synced = false;
  private running = false;

  constructor(client: ApiClient, readonly target: ResourceTarget, private readonly opts: InformerOptions = {}) {
    this.indexer = new Indexer<T>({ ...DEFAULT_INDEXERS, ...(opts.indexers ?? {}) });
    this.lister = new Lister(this.indexer);
    this.reflector = new Reflector<T>(client, target, this, opts);
  }

  /** Registers handlers; when the cache already has objects they arrive as onAdd first. */
  addEventHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    for (const obj of this.indexer.list()) this.call(h, 'onAdd', obj);
  }

  /** True once the first list has been delivered. */
  hasSynced(): boolean { return this.synced; }

  /** The resourceVersion of the last event or list seen. */
  lastSyncResourceVersion(): string | undefined { return this.reflector.lastSyncResourceVersion(); }

  /** How many times the reflector listed (1 + re-lists after 410 Gone). */
  listCount(): number { return this.reflector.listCount; }

  /** Lists, watches and delivers until `signal` aborts. Running twice is a no-op. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all([this.reflector.run(signal), this.resyncLoop(signal)]);
    } finally {
      this.running = false;
    }
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.opts.resyncPeriodMs ?? 0;
    if (period <= 0) return;
    while (!signal.aborted) {
      await sleep(period, signal);
      if (signal.aborted || !this.synced) continue;
      for (const obj of this.indexer.list()) this.emit('onUpdate', obj, obj);
    }
  }

  private call(h: EventHandlers<T>, kind: keyof EventHandlers<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') h.onUpdate?.(a, b!);
      else h[kind]?.(a);
    } catch (err) {
      clientLog('error', 'informer handler failed', { resource: this.target.resource, handler: kind, object: keyOf(a), error: (err as Error).message });
    }
  }

  private emit(kind: keyof EventHandlers<T>, a: T, b?: T): void {
    for (const h of this.handlers) this.call(h, kind, a, b);
  }

  /** ReflectorSink: the full state after a list; differences become add/update/delete. */
  replace(items: T[], _resourceVersion: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(keyOf(obj));
      const old = this.indexer.set(obj);
      if (!old) this.emit('onAdd', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('onUpdate', old, obj);
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const gone = this.indexer.remove(key);
      if (gone) this.emit('onDelete', gone);
    }
    this.synced = true;
  }

  /** ReflectorSink: ADDED. */
  add(obj: T): void {
    const old = this.indexer.set(obj);
    if (old) this.emit('onUpdate', old, obj); else this.emit('onAdd', obj);
  }

  /** ReflectorSink: MODIFIED. */
  update(obj: T): void {
    const old = this.indexer.set(obj);
    if (old) this.emit('onUpdate', old, obj); else this.emit('onAdd', obj);
  }

  /** ReflectorSink: DELETED (the final state of the object). */
  delete(obj: T): void {
    this.indexer.remove(keyOf(obj));
    this.emit('onDelete', obj);
  }
}

/** Resolves true once every informer has synced, false if `signal` aborts first. */
export async function waitForCacheSync(signal: AbortSignal, ...informers: Array<{ hasSynced(): boolean }>): Promise<boolean> {
  while (!informers.every((i) => i.hasSynced())) {
    if (signal.aborted) return false;
    await sleep(20, signal);
  }
  return true;
}

/** Hands out one shared informer per resource + selectors, so components list and watch each resource once. */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<KObject>>();
  private signal: AbortSignal | undefined;

  constructor(private readonly client: ApiClient, private readonly defaults: InformerOptions = {}) {}

  /** The informer for `target` (created on first use; started at once if the factory already runs). */
  informerFor<T extends KObject = KObject>(target: ResourceTarget, opts: InformerOptions = {}): SharedInformer<T> {
    const key = JSON.stringify([target.group ?? '', target.resource, target.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? '']);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new SharedInformer(this.client, target, { ...this.defaults, ...opts });
      this.informers.set(key, inf);
      if (this.signal) void inf.run(this.signal);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Starts every informer (and later ones) until `signal` aborts. */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const inf of this.informers.values()) void inf.run(signal);
  }

  /** Waits until every informer handed out so far has synced. */
  waitForCacheSync(signal: AbortSignal): Promise<boolean> {
    return waitForCacheSync(signal, ...this.informers.values());
  }
}
