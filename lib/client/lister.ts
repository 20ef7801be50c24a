/** Lister: read-only queries over an informer's cache (get by namespace/name, list by label selector). */
import type { KObject } from '../api/object.js';
import { parseSelector, type Selector } from '../labels/selector.js';
import type { Indexer } from './indexer.js';

/** Reads an informer's cache. Returned objects are shared: structuredClone before changing one. */
export class Lister<T extends KObject = KObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** The object namespace/name (namespace '' or undefined for cluster objects). */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Objects (in `namespace` when given) whose labels match `selector` (a string or a parsed Selector). */
  list(selector?: string | Selector, namespace?: string): T[] {
    const sel = typeof selector === 'string' ? parseSelector(selector) : selector;
    const items = namespace ? this.indexer.byIndex('namespace', namespace) : this.indexer.list();
    return sel && !sel.empty() ? items.filter((o) => sel.matches(o.metadata?.labels)) : items;
  }

  /** Objects under index `name` = `value` (namespace, nodeName, ownerUID, or a custom index). */
  byIndex(name: string, value: string): T[] { return this.indexer.byIndex(name, value); }
}
