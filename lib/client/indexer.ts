/**
 * Indexer: the informer's cache of objects keyed `namespace/name` (or `name` for cluster objects),
 * with secondary indexes (namespace, spec.nodeName, owner UID, or any function). Cached objects are
 * shared and read-only: structuredClone before changing one.
 */
import type { KObject } from '../api/object.js';

/** Values an object is indexed under. */
export type IndexFunc = (obj: KObject) => string[];

/** The cache key of an object: `namespace/name` or `name`. */
export function keyOf(obj: KObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Splits a cache key into namespace (maybe '') and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Index name → function: namespace. */
export const byNamespace: IndexFunc = (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []);
/** Index by spec.nodeName (pods by node). */
export const byNodeName: IndexFunc = (o) => {
  const node = (o.spec as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
};
/** Index by owner UID (objects a controller owns). */
export const byOwnerUID: IndexFunc = (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid);

/** The default indexes every informer has. */
export const DEFAULT_INDEXERS: Record<string, IndexFunc> = { namespace: byNamespace, nodeName: byNodeName, ownerUID: byOwnerUID };

/** A keyed object cache with secondary indexes. */
export class Indexer<T extends KObject = KObject> {
  private readonly items = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexers: Record<string, IndexFunc> = DEFAULT_INDEXERS) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  /** Adds another index (before or after objects were added). */
  addIndexer(name: string, fn: IndexFunc): void {
    this.indexers[name] = fn;
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.index(name, key, obj, true);
  }

  private index(name: string, key: string, obj: T, add: boolean): void {
    const idx = this.indices.get(name)!;
    for (const v of this.indexers[name](obj)) {
      let set = idx.get(v);
      if (add) { if (!set) idx.set(v, (set = new Set())); set.add(key); } else if (set) { set.delete(key); if (!set.size) idx.delete(v); }
    }
  }

  /** Inserts or replaces; returns the previous object. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) for (const name of this.indices.keys()) this.index(name, key, old, false);
    this.items.set(key, obj);
    for (const name of this.indices.keys()) this.index(name, key, obj, true);
    return old;
  }

  /** Removes by key; returns the removed object. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    for (const name of this.indices.keys()) this.index(name, key, old, false);
    this.items.delete(key);
    return old;
  }

  /** The object under `key`. */
  get(key: string): T | undefined { return this.items.get(key); }
  /** Every cached object. */
  list(): T[] { return [...this.items.values()]; }
  /** Every key. */
  keys(): string[] { return [...this.items.keys()]; }
  /** Number of objects. */
  size(): number { return this.items.size; }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const idx = this.indices.get(name);
    if (!idx) throw new Error(`no index named ${name}`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }
}
