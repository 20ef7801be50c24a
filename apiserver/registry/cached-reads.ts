/**
 * Admission-time reads served from the watch caches instead of etcd round trips (Kubernetes'
 * admission plugins read informers the same way): namespaces for NamespaceLifecycle and
 * PodSecurity, ResourceQuotas, LimitRanges and PriorityClasses.
 *
 * Read-your-writes: every write of this registry records its revision per resource, and a cached
 * read first waits until that resource's cache has applied it (normally well under a
 * millisecond). So a quota created, or a namespace set Terminating, through this apiserver is
 * seen by the very next request. Writes by another apiserver sharing etcd are seen once they
 * reach the cache (the informer staleness Kubernetes has too); a namespace missing from the
 * cache is looked up in etcd, so one just created elsewhere is never refused.
 */
import type { KObject } from '../../lib/api/object.js';
import { collectionKey, objectKey } from '../storage/keys.js';
import type { EtcdStore, Stored } from '../storage/store.js';
import type { WatchCache } from '../storage/watch-cache.js';

/** How long a read waits for its cache to catch up before it reads etcd instead. */
const CATCH_UP_MS = 2000;

/** Cached, read-your-writes reads of a few small resources. */
export class CachedReads {
  /** Latest revision this process wrote, per storage resource. */
  private readonly written = new Map<string, number>();

  /** `cacheOf(resource)`: the resource's watch cache when it runs (undefined → etcd reads). */
  constructor(private readonly store: EtcdStore, private readonly prefix: string, private readonly cacheOf: (resource: string) => WatchCache | undefined) {}

  /** Records a successful write at `key` (hooked to EtcdStore.onWrite). */
  noteWrite(key: string, revision: number): void {
    if (!key.startsWith(this.prefix + '/')) return;
    const end = key.indexOf('/', this.prefix.length + 1);
    const resource = key.slice(this.prefix.length + 1, end < 0 ? undefined : end);
    if ((this.written.get(resource) ?? 0) < revision) this.written.set(resource, revision);
  }

  /** The cache of `resource` once it holds every write of this process, else undefined (read etcd). */
  async current(resource: string): Promise<WatchCache | undefined> {
    const cache = this.cacheOf(resource);
    if (!cache?.ready) return undefined;
    return (await cache.waitForRevision(this.written.get(resource) ?? 0, CATCH_UP_MS)) ? cache : undefined;
  }

  /** Objects of `resource` in `namespace` ('' = cluster-scoped: all); read-only (shared with the cache). */
  async list(resource: string, namespace: string): Promise<KObject[]> {
    const key = collectionKey(this.prefix, resource, namespace || undefined);
    const cache = await this.current(resource);
    if (cache) return cache.under(key);
    return (await this.store.list(key)).items.map((s) => s.obj);
  }

  /**
   * The cached state of `key` as guaranteedUpdate's first guess (a private copy), or undefined:
   * the update then reads etcd. A stale guess only costs a retry (the write is a Txn on its revision).
   */
  async stored(resource: string, key: string): Promise<Stored | undefined> {
    const obj = (await this.current(resource))?.get(key);
    // Only Events carry etcd leases, and their updates always take a fresh one.
    return obj && { key, obj: structuredClone(obj), modRevision: Number(obj.metadata?.resourceVersion), lease: '0' };
  }

  /** A namespace (read-only), or undefined when it exists neither in the cache nor in etcd. */
  async namespace(name: string): Promise<KObject | undefined> {
    const key = objectKey(this.prefix, 'namespaces', undefined, name);
    return (await this.current('namespaces'))?.get(key) ?? (await this.store.get(key))?.obj;
  }
}
