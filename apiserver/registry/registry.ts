/**
 * The registry: every resource's get/list/watch/create/update/patch/delete on etcd, behind both
 * facades (REST and gRPC). Wires storage, watch caches, admission and the per-kind rules.
 */
import type { Etcd3 } from 'etcd3';
import type { EtcdKv } from '../storage/etcd-kv.js';
import type { KList, KObject } from '../../lib/api/object.js';
import { ApiError, isApiError } from '../../lib/errors.js';
import { AdmissionChain } from '../admission/chain.js';
import { defaultingPlugin } from '../admission/defaulting.js';
import { namespaceLifecyclePlugin } from '../admission/namespace-lifecycle.js';
import { limitRangerPlugins } from '../admission/limit-ranger.js';
import { priorityPlugin } from '../admission/priority.js';
import { resourceQuotaPlugin } from '../admission/resource-quota.js';
import type { AdmissionPlugin } from '../admission/types.js';
import { builtinResources } from '../resources/index.js';
import { runCompactor } from '../storage/compactor.js';
import { stderrLog, type LogFn } from '../storage/log.js';
import { collectionKey } from '../storage/keys.js';
import { EtcdStore } from '../storage/store.js';
import { WatchCache } from '../storage/watch-cache.js';
import { bodyToStorage, viewFor, type StorageView } from './conversion.js';
import { CachedReads } from './cached-reads.js';
import { KeyedMutex } from './keyed-mutex.js';
import { keyOf, whatOf, type RegistryCore, type ServiceAllocation } from './context.js';
import { createObject } from './create.js';
import { checkDeleteOptions, deleteObject } from './delete.js';
import { listObjects } from './list.js';
import { apiVersionOf } from './metadata.js';
import { patchObject } from './patch.js';
import { selectionPredicate } from './selection.js';
import { bindPod, checkSubresource, evictPod, toScale, updateScale } from './subresources.js';
import type { DeleteOptions, ListOptions, PatchOptions, PatchType, Registry, RequestContext, ResourceDef, ResourceRef, WatchEvent, WatchOptions } from './types.js';
import { updateObject } from './update.js';
import { bootstrapCluster, defaultServiceAllocation, storeForAdmission } from './wiring.js';

/** Options of createRegistry. */
export interface RegistryOptions {
  etcd: Etcd3;
  /** Range, Txn and Watch: our lean gRPC client over lib/h2 (leases and compaction stay on `etcd`). The caller closes it. */
  etcdKv: EtcdKv;
  /** etcd key prefix (default '/registry'). */
  prefix?: string;
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
  /** Served kinds (default: builtinResources()). */
  resources?: ResourceDef[];
  /** Extra admission plugins, run between defaulting and NamespaceLifecycle. */
  admissionPlugins?: AdmissionPlugin[];
  /** Answers POST serviceaccounts/<name>/token (TokenRequest) for an existing ServiceAccount; absent = 404. */
  issueToken?(serviceAccount: KObject, request: KObject, ctx: RequestContext): KObject;
  /** Event TTL in seconds (default 3600, as kube-apiserver's --event-ttl=1h). */
  eventTtlSeconds?: number;
  /** Events kept per resource for resuming watches (default 1000). */
  watchCacheSize?: number;
  /** Interval of BOOKMARK events (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Service ClusterIP/NodePort allocation (default: the etcd allocators of apiserver/allocators). */
  services?: ServiceAllocation;
  /** Skip creating default, kube-system, kube-public, kube-node-lease. */
  skipBootstrap?: boolean;
  /** etcd compaction interval (kube-apiserver's --etcd-compaction-interval; default 5 min, 0 = off). */
  compactionIntervalMs?: number;
  /** Structured log sink (default: JSON lines on stderr). */
  log?: LogFn;
  /** Start every resource's watch cache at creation (default true, as kube-apiserver), so watches resuming from any later list are served from memory. */
  eagerWatchCaches?: boolean;
}

/** The registry with its lifecycle and a few storage handles (tests, the compactor). */
export type RegistryHandle = Registry & {
  close(): Promise<void>;
  readonly store: EtcdStore;
  /** The watch cache of a resource (created on first use). */
  watchCache(def: ResourceDef): WatchCache;
  /** A namespace (read-only) from the watch cache, current with this process's writes; etcd when the cache lacks it (admission: NamespaceLifecycle, PodSecurity). */
  cachedNamespace(name: string): Promise<KObject | undefined>;
  /** Objects of a resource from its watch cache, current with this process's writes (admission: ServiceAccount, DefaultStorageClass). */
  cachedList(resource: string, namespace: string): Promise<KObject[]>;
  /** Per storage resource: objects, live watchers and cache revision (for metrics such as apiserver_storage_objects). */
  stats(): { resource: string; objects: number; watchers: number; revision: number }[];
};

const DELETE_COLLECTION_WORKERS = 16;

/** A request's storage kind and the conversions back to the version it was made in. */
interface Resolved {
  def: ResourceDef; sref: ResourceRef; view?: StorageView;
  /** The kind whose field selectors apply (the served one when it is a view; it reads the storage shape). */
  selDef: ResourceDef;
  out(o: KObject): KObject; outList(l: KList): KList;
}

const NOT_FOUND = (): ApiError => new ApiError('NotFound', 'the server could not find the requested resource');

/** Parses a resourceVersion parameter ('' / '0' → undefined). */
function parseRv(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  if (!/^\d+$/.test(rv)) throw new ApiError('BadRequest', `invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

class EtcdRegistry implements RegistryHandle {
  readonly store: EtcdStore;
  /** Shared state of the registry's operations (bootstrap writes through it). */
  readonly core: RegistryCore;
  private readonly defs: ResourceDef[];
  private readonly byKey = new Map<string, ResourceDef>();
  private readonly byVersion = new Map<string, ResourceDef>();
  private readonly caches = new Map<string, WatchCache>();
  private readonly stopping = new AbortController();
  private readonly cached: CachedReads;

  constructor(private readonly opts: RegistryOptions, services: ServiceAllocation | undefined) {
    this.store = new EtcdStore(opts.etcd, opts.etcdKv);
    this.defs = opts.resources ?? builtinResources();
    for (const d of this.defs) {
      if (!this.byKey.has(`${d.group}/${d.resource}`)) this.byKey.set(`${d.group}/${d.resource}`, d);
      this.byVersion.set(`${d.group}/${d.version}/${d.resource}`, d);
    }
    const prefix = (opts.prefix ?? '/registry').replace(/\/+$/, '');
    this.cached = new CachedReads(this.store, prefix, (resource) => this.caches.get(resource));
    this.store.onWrite = (key, revision) => this.cached.noteWrite(key, revision);
    const admissionStore = storeForAdmission(this.store, prefix, this.cached);
    const admission = new AdmissionChain([
      defaultingPlugin(), priorityPlugin(admissionStore), ...limitRangerPlugins(admissionStore), ...(opts.admissionPlugins ?? []),
      namespaceLifecyclePlugin((name) => this.cached.namespace(name)), resourceQuotaPlugin(admissionStore),
    ]);
    this.core = { store: this.store, prefix, admission, eventTtlSeconds: opts.eventTtlSeconds ?? 3600, services, log: opts.log ?? stderrLog, lookup: (g, r) => this.lookup(g, r),
      quotaLock: new KeyedMutex(), hasQuota: async (ns) => (await this.cached.list('resourcequotas', ns)).length > 0,
      cachedStored: (resource, key) => this.cached.stored(resource, key) };
  }

  resources(): ResourceDef[] { return this.defs; }
  lookup(group: string, resource: string, version?: string): ResourceDef | undefined {
    return (version ? this.byVersion.get(`${group}/${version}/${resource}`) : undefined) ?? this.byKey.get(`${group}/${resource}`);
  }

  /** The kind served at exactly `ref`'s version, else the first one served for its group/resource. */
  private def(ref: ResourceRef): ResourceDef {
    const d = this.byVersion.get(`${ref.group}/${ref.version}/${ref.resource}`) ?? this.lookup(ref.group, ref.resource);
    if (!d) throw NOT_FOUND();
    return d;
  }

  /** The storage kind behind `ref`, the storage ref, and the conversion out to `ref`'s version. */
  private resolve(ref: ResourceRef): Resolved {
    const view = viewFor(ref);
    if (!view) { const d = this.def(ref); return { def: d, selDef: d, sref: ref, out: (o) => o, outList: (l) => l }; }
    const def = this.byVersion.get(`${view.storage.group}/${view.storage.version}/${view.storage.resource}`) ?? this.lookup(view.storage.group, view.storage.resource);
    if (!def) throw NOT_FOUND();
    return {
      def, sref: view.storage, view, selDef: this.byVersion.get(`${ref.group}/${ref.version}/${ref.resource}`) ?? def, out: (o) => view.fromStorage(o),
      outList: (l) => ({ ...l, apiVersion: view.apiVersion, items: l.items.map((o) => view.fromStorage(o)) }),
    };
  }

  stats(): { resource: string; objects: number; watchers: number; revision: number }[] {
    return [...this.caches.entries()].filter(([, c]) => c.ready).map(([resource, c]) => ({ resource, objects: c.size, watchers: c.watcherCount, revision: c.revision }));
  }

  cachedNamespace(name: string): Promise<KObject | undefined> { return this.cached.namespace(name); }

  cachedList(resource: string, namespace: string): Promise<KObject[]> { return this.cached.list(resource, namespace); }

  watchCache(def: ResourceDef): WatchCache {
    let c = this.caches.get(def.resource);
    if (!c) {
      c = new WatchCache(this.store, collectionKey(this.core.prefix, def.resource), { capacity: this.opts.watchCacheSize, bookmarkIntervalMs: this.opts.bookmarkIntervalMs, log: this.opts.log });
      this.caches.set(def.resource, c);
    }
    return c;
  }

  async get(_ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<KObject> {
    const { def, out } = this.resolve(ref);
    checkSubresource(def, subresource, ['status', 'scale', 'ephemeralcontainers', 'approval']);
    const { obj } = await this.store.mustGet(keyOf(this.core, def, namespace, name), whatOf(def, name));
    return subresource === 'scale' ? toScale(obj) : out({ ...obj, apiVersion: apiVersionOf(def), kind: def.kind });
  }

  async list(_ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, opts: ListOptions): Promise<KList> {
    const { selDef, outList } = this.resolve(ref);
    return outList(await this.listStored(selDef, namespace, opts));
  }

  private async listStored(def: ResourceDef, namespace: string | undefined, opts: ListOptions): Promise<KList> {
    // resourceVersion=0 means "any version is fine": served from the watch cache, as Kubernetes does
    // (once the cache holds this process's own writes, so a list after a create sees it).
    const cache = opts.resourceVersion === '0' && !opts.continue ? await this.cached.current(def.resource) : undefined;
    if (cache) {
      const { matches } = selectionPredicate(def, namespace, opts.labelSelector, opts.fieldSelector);
      const { items, revision } = cache.snapshot(matches, collectionKey(this.core.prefix, def.resource, def.namespaced ? namespace : undefined));
      const apiVersion = apiVersionOf(def);
      return { apiVersion, kind: def.listKind, metadata: { resourceVersion: String(revision) }, items: items.map((o) => ({ ...structuredClone(o), apiVersion, kind: def.kind })) };
    }
    return listObjects(this.core, def, namespace, opts);
  }

  watch(_ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const { def, selDef, view, out } = this.resolve(ref);
    const { matches } = selectionPredicate(selDef, namespace, opts.labelSelector, opts.fieldSelector);
    const rv = parseRv(opts.resourceVersion);
    const initial = opts.sendInitialEvents === true || (rv === undefined && opts.sendInitialEvents !== false);
    const cache = this.watchCache(def);
    const bookmark = (rev: number, end: boolean): KObject => ({
      apiVersion: view ? view.apiVersion : apiVersionOf(def), kind: def.kind,
      metadata: { resourceVersion: String(rev), ...(end ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
    });
    const open = () => cache.watch({ initial, fromRev: rv, matches, bookmarks: !!opts.allowWatchBookmarks, bookmark }, signal);
    return lazyEvents(open, view ? (ev) => (ev.type === 'BOOKMARK' ? ev : { type: ev.type, object: out(ev.object) }) : undefined);
  }

  async create(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, obj: KObject, subresource?: string, parentName?: string): Promise<KObject> {
    const { def, sref, view, out } = this.resolve(ref);
    if (!subresource) return out(await createObject(this.core, ctx, sref, def, namespace, bodyToStorage(view, obj)));
    if (subresource === 'token' && def.group === '' && def.resource === 'serviceaccounts' && this.opts.issueToken && parentName) {
      return this.opts.issueToken(await this.get(ctx, ref, namespace, parentName), obj, ctx);
    }
    checkSubresource(def, subresource, ['binding', 'eviction']);
    if (!parentName) throw new ApiError('BadRequest', `${subresource} needs the name of the pod`);
    return subresource === 'binding' ? bindPod(this.core, ctx, ref, def, namespace, parentName, obj) : evictPod(this.core, ctx, ref, def, namespace, parentName, obj);
  }

  async update(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, obj: KObject, subresource?: string): Promise<KObject> {
    const { def, sref, view, out } = this.resolve(ref);
    checkSubresource(def, subresource, ['status', 'scale', 'finalize', 'ephemeralcontainers', 'approval']);
    if (subresource === 'scale') return updateScale(this.core, ctx, ref, def, namespace, name, obj);
    return out(await updateObject(this.core, ctx, sref, def, namespace, name, bodyToStorage(view, obj), subresource));
  }

  async patch(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOptions, subresource?: string): Promise<KObject> {
    const { def, sref, view, out } = this.resolve(ref);
    checkSubresource(def, subresource, ['status', 'scale', 'ephemeralcontainers', 'approval']);
    const res = await patchObject(this.core, ctx, sref, def, namespace, name, type, patch, opts, subresource, view);
    return subresource === 'scale' ? res : out(res);
  }

  async delete(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
    const { def, sref, out } = this.resolve(ref);
    return out(await deleteObject(this.core, ctx, sref, def, namespace, name, opts ?? {}));
  }

  async deleteCollection(ctx: RequestContext, ref: ResourceRef, namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<KList> {
    const { def, sref, outList } = this.resolve(ref);
    checkDeleteOptions(opts ?? {});
    const list = await listObjects(this.core, def, namespace, { ...listOpts, limit: undefined, continue: undefined });
    // Kubernetes deletes a collection with a pool of workers; keep the list order in the result.
    const results: (KObject | undefined)[] = new Array(list.items.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < list.items.length; i = next++) {
        const item = list.items[i];
        try {
          results[i] = await deleteObject(this.core, ctx, sref, def, item.metadata?.namespace, item.metadata!.name!, opts ?? {});
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err; // deleted meanwhile: nothing left to do
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_COLLECTION_WORKERS, list.items.length) }, worker));
    return outList({ ...list, items: results.filter((o): o is KObject => o !== undefined) });
  }

  /** Starts the watch caches of every served resource (one per storage prefix); failures retry on first watch. */
  async startWatchCaches(): Promise<void> {
    await Promise.all(this.defs.map((d) => this.watchCache(d).start().catch((err) => {
      this.core.log?.('warn', 'watch cache start failed, retried on first watch', { resource: d.resource, err: String((err as Error)?.message ?? err) });
    })));
  }

  /** Starts background loops (etcd compaction). */
  startBackground(): void {
    const interval = this.opts.compactionIntervalMs ?? 300_000;
    if (interval > 0) void runCompactor(this.store, interval, this.stopping.signal, undefined, this.opts.log);
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.caches.values()].map((c) => c.stop()));
  }
}

/**
 * The events of a watch that starts on the first next(), mapped by `map` when given. Hand-written
 * rather than an async generator wrapping the cache's queue: each event then costs the watcher one
 * promise instead of a chain of generator hops (every event reaches every watcher).
 */
function lazyEvents(open: () => Promise<AsyncIterable<WatchEvent>>, map?: (ev: WatchEvent) => WatchEvent): AsyncIterable<WatchEvent> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
      let inner: AsyncIterator<WatchEvent> | undefined;
      let opening: Promise<AsyncIterator<WatchEvent>> | undefined;
      let finished = false;
      const step = (it: AsyncIterator<WatchEvent>): Promise<IteratorResult<WatchEvent>> => {
        const next = it.next();
        return map ? next.then((r) => (r.done ? r : { done: false, value: map(r.value) })) : next;
      };
      return {
        next() {
          if (inner) return step(inner);
          if (finished) return Promise.resolve({ done: true, value: undefined });
          opening ??= open().then((events) => (inner = events[Symbol.asyncIterator]()));
          return opening.then(step);
        },
        async return() {
          finished = true;
          const it = inner ?? await opening?.catch(() => undefined);
          await it?.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Builds the registry on an etcd client and creates the system namespaces. */
export async function createRegistry(opts: RegistryOptions): Promise<RegistryHandle> {
  const services = opts.services ?? await defaultServiceAllocation(opts);
  const reg = new EtcdRegistry(opts, services);
  if (!opts.skipBootstrap) await bootstrapCluster(reg, reg.core);
  if (opts.eagerWatchCaches ?? true) await reg.startWatchCaches();
  reg.startBackground();
  return reg;
}
