/**
 * The watch cache of one resource: one etcd watch shared by every watcher of the resource, the
 * current objects in memory, and a ring buffer of recent events so a watch that resumes from a
 * recent resourceVersion is served from memory. Older starts fall back to a direct etcd watch
 * (which answers 410 Gone once etcd compacted that revision).
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { WatchEvent } from '../registry/types.js';
import { EventQueue } from './event-queue.js';
import { watchPrefix, type PrefixWatch } from './etcd-watch.js';
import { stderrLog, type LogFn } from './log.js';
import type { EtcdStore } from './store.js';
import { filterEvent, type Predicate, type StorageEvent } from './watch-filter.js';

/** Options of one cache. */
export interface WatchCacheOptions {
  /** Events kept for resuming watches (Kubernetes' default is 100 per resource; we keep more). */
  capacity?: number;
  /** How often watchers that asked for bookmarks get one. */
  bookmarkIntervalMs?: number;
  /** Events a slow watcher may have queued before it is closed. */
  maxQueued?: number;
  log?: LogFn;
}

/** How a watcher starts. */
export interface CacheWatchRequest {
  /** Start with the current state as ADDED events (then a BOOKMARK marking their end, if asked). */
  initial?: boolean;
  /** Events after this revision; neither this nor `initial` = events from now on. */
  fromRev?: number;
  matches: Predicate;
  bookmarks: boolean;
  /** Object carried by a BOOKMARK (kind/apiVersion + metadata.resourceVersion). */
  bookmark(rev: number, initialEventsEnd: boolean): KObject;
}

interface Subscriber { queue: EventQueue<WatchEvent>; req: CacheWatchRequest; timer?: NodeJS.Timeout; afterRev: number }

interface RevisionWaiter { rev: number; done(ok: boolean): void }

/** Shared watch of one collection prefix. */
export class WatchCache {
  private readonly objects = new Map<string, KObject>();
  private ring: StorageEvent[] = [];
  /** Every event after this revision is in the ring. */
  private windowStart = 0;
  /** Latest revision the cache has seen. */
  private rev = 0;
  private readonly subs = new Set<Subscriber>();
  private waiters: RevisionWaiter[] = [];
  private watcher?: PrefixWatch;
  private starting?: Promise<void>;
  private stopped = false;
  private generation = 0;
  private readonly capacity: number;

  constructor(private readonly store: EtcdStore, readonly prefix: string, private readonly opts: WatchCacheOptions = {}) {
    this.capacity = opts.capacity ?? 1000;
  }

  /** Lists the prefix and starts the shared etcd watch (idempotent). */
  start(): Promise<void> {
    this.starting ??= this.load().catch((err) => { this.starting = undefined; throw err; });
    return this.starting;
  }

  private async load(): Promise<void> {
    // A reset while loading starts a newer load: callbacks and results of an older one are ignored.
    const gen = ++this.generation;
    const page = await this.store.list(this.prefix);
    if (gen !== this.generation) return;
    this.objects.clear();
    for (const s of page.items) this.objects.set(s.key, s.obj);
    this.ring = [];
    this.windowStart = this.rev = page.revision;
    const watcher = await watchPrefix(this.store.kv, this.prefix, page.revision, {
      // The cache holds every key's current state: etcd need not send previous values.
      state: { get: (key) => this.objects.get(key), revision: () => this.rev },
      onEvents: (events, header) => { if (gen === this.generation) this.apply(events, header); },
      onError: (err) => { if (gen === this.generation) this.reset(err); },
    });
    if (gen !== this.generation || this.stopped) { await watcher.cancel(); return; }
    this.watcher = watcher;
  }

  /** True once the initial list is loaded and the shared watch runs. */
  get ready(): boolean { return this.watcher !== undefined; }

  /** The revision the cache is current to. */
  get revision(): number { return this.rev; }

  /** The cached object at `key` (read-only), or undefined. */
  get(key: string): KObject | undefined { return this.objects.get(key); }

  /** Cached objects (read-only) whose key starts with `keyPrefix`, in no particular order. */
  under(keyPrefix: string): KObject[] {
    const out: KObject[] = [];
    for (const [key, obj] of this.objects) if (key.startsWith(keyPrefix)) out.push(obj);
    return out;
  }

  /**
   * Resolves true once the cache has applied revision `rev` (at once when it has), false after
   * `timeoutMs` or when the cache stops or resets: the caller then reads etcd instead.
   */
  waitForRevision(rev: number, timeoutMs: number): Promise<boolean> {
    if (this.ready && this.rev >= rev) return Promise.resolve(true);
    if (!this.ready || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => w.done(false), timeoutMs);
      const w: RevisionWaiter = { rev, done: (ok) => { clearTimeout(timer); this.waiters = this.waiters.filter((x) => x !== w); resolve(ok); } };
      this.waiters.push(w);
    });
  }

  private wakeWaiters(ok: boolean): void {
    for (const w of this.waiters) if (!ok || w.rev <= this.rev) w.done(ok);
  }

  /** Current objects (read-only) matching `matches` (and under `keyPrefix`), in key order, and the revision they are current to. */
  snapshot(matches: Predicate, keyPrefix = ''): { items: KObject[]; revision: number } {
    // Filter first, then sort only what matched: a list of one namespace need not sort the whole cluster.
    const hits: [string, KObject][] = [];
    for (const entry of this.objects) if (entry[0].startsWith(keyPrefix) && matches(entry[1])) hits.push(entry);
    hits.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { items: hits.map((e) => e[1]), revision: this.rev };
  }

  private apply(events: StorageEvent[], header: number): void {
    for (const ev of events) {
      if (ev.rev <= this.rev) continue; // a reconnect may replay what we have
      if (ev.type === 'DELETED') this.objects.delete(ev.key); else this.objects.set(ev.key, ev.obj);
      this.ring.push(ev);
      if (this.ring.length > this.capacity) this.windowStart = this.ring.shift()!.rev;
      this.rev = ev.rev;
      // One copy of the object for every watcher of this event (consumers only read it), not one each.
      const shared = { obj: undefined as KObject | undefined };
      for (const s of this.subs) this.deliver(s, ev, shared);
    }
    if (header > this.rev && events.length === 0) this.rev = header;
    if (this.waiters.length) this.wakeWaiters(true);
  }

  /**
   * Queues `ev` for `s` if it matches. Watchers never get the cache's own object: a copy, shared by
   * the watchers of one live event when `shared` is given (watch consumers treat objects as read-only).
   */
  private deliver(s: Subscriber, ev: StorageEvent, shared?: { obj?: KObject }): void {
    if (ev.rev <= s.afterRev) return;
    const out = filterEvent(ev, s.req.matches);
    if (!out) return;
    const object = shared && out.object === ev.obj ? (shared.obj ??= structuredClone(ev.obj)) : structuredClone(out.object);
    s.queue.push({ type: out.type, object });
  }

  /** The shared watch broke for good (e.g. compacted while disconnected): close watchers, reload. */
  private reset(err: ApiError): void {
    this.generation++;
    (this.opts.log ?? stderrLog)('warn', 'watch cache reset: shared etcd watch ended', { prefix: this.prefix, watchers: this.subs.size, err: err.message });
    for (const s of [...this.subs]) s.queue.fail(err);
    this.watcher?.cancel().catch(() => undefined);
    this.watcher = undefined;
    this.starting = undefined;
    this.wakeWaiters(false);
    if (!this.stopped) this.start().catch(() => undefined);
  }

  /** Starts one watcher; events until `signal` aborts. Throws Gone (from the iterator) for compacted starts. */
  async watch(req: CacheWatchRequest, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>> {
    await this.start();
    const queue = new EventQueue<WatchEvent>(this.opts.maxQueued ?? 10_000, signal);
    if (!req.initial && req.fromRev !== undefined && req.fromRev < this.windowStart) {
      await this.watchFromEtcd(queue, req);
      return queue;
    }
    // From here to subscribing is synchronous, so no event slips between replay and live delivery.
    const sub: Subscriber = { queue, req, afterRev: req.initial ? this.rev : req.fromRev ?? this.rev };
    if (req.initial) {
      const { items } = this.snapshot(req.matches);
      queue.allow(items.length + 1);
      for (const obj of items) queue.push({ type: 'ADDED', object: structuredClone(obj) });
      if (req.bookmarks) queue.push({ type: 'BOOKMARK', object: req.bookmark(this.rev, true) });
    } else if (req.fromRev !== undefined) {
      queue.allow(this.ring.length);
      for (const ev of this.ring) this.deliver(sub, ev);
    }
    this.subs.add(sub);
    if (req.bookmarks && this.opts.bookmarkIntervalMs !== 0) {
      sub.timer = setInterval(() => queue.push({ type: 'BOOKMARK', object: req.bookmark(Math.max(this.rev, sub.afterRev), false) }), this.opts.bookmarkIntervalMs ?? 60_000);
      sub.timer.unref();
    }
    queue.onClose = () => { this.subs.delete(sub); if (sub.timer) clearInterval(sub.timer); };
    return queue;
  }

  private async watchFromEtcd(queue: EventQueue<WatchEvent>, req: CacheWatchRequest): Promise<void> {
    const from = req.fromRev!;
    const oldest = this.windowStart;
    // Ask etcd first whether that history still exists, so a compacted start fails before streaming.
    try {
      await this.store.list(this.prefix, { revision: from + 1, limit: 1 });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'Gone') throw new ApiError('Gone', `too old resource version: ${from} (${oldest})`);
      throw err;
    }
    const w = await watchPrefix(this.store.kv, this.prefix, from, {
      onEvents: (events) => { for (const ev of events) { const out = filterEvent(ev, req.matches); if (out) queue.push(out); } },
      onError: (err) => queue.fail(err.code === 'Gone' ? new ApiError('Gone', `too old resource version: ${from} (${oldest})`) : err),
    });
    queue.onClose = () => { w.cancel().catch(() => undefined); };
    if (queue.closed) w.cancel().catch(() => undefined);
  }

  /** Number of objects held (metrics: apiserver_storage_objects). */
  get size(): number { return this.objects.size; }

  /** Number of live watchers (tests, metrics). */
  get watcherCount(): number { return this.subs.size; }

  /** Stops the etcd watch and ends every watcher. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.wakeWaiters(false);
    for (const s of [...this.subs]) s.queue.end();
    // Shutdown must not hang on an etcd that no longer answers the cancel.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.watcher?.cancel().catch(() => undefined),
      new Promise<void>((r) => { timer = setTimeout(r, 2000); timer.unref(); }),
    ]);
    clearTimeout(timer);
  }
}
