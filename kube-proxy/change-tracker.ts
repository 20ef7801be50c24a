/**
 * Change tracking apart from the proxier (as Kubernetes' endpointschangetracker.go): informer
 * events record, per object, the state before the first unsynced change and the latest state.
 * A burst of events on one object coalesces into one change; a change that returns to where it
 * started disappears. The proxier drains all pending changes in one sync and touches only the
 * service ports they name, so a sync costs O(changed), not O(all).
 */
import type { KObject } from '../lib/api/object.js';

/** The state of one object's derived entries before and after the pending changes. */
export interface PendingChange<V> { previous: Map<string, V>; current: Map<string, V> }

/** Records changes to objects of one kind, each turned into entries (service ports or endpoint sets) by `extract`. */
export class ChangeTracker<T extends KObject, V> {
  private pending = new Map<string, PendingChange<V>>();

  /** `extract` maps an object to its entries; `same` tells whether two entries are equal. */
  constructor(private readonly extract: (obj: T) => Map<string, V>, private readonly same: (a: V | undefined, b: V | undefined) => boolean) {}

  /** Informer handler: object added. */
  onAdd(obj: T): boolean { return this.update(undefined, obj); }
  /** Informer handler: object changed. */
  onUpdate(oldObj: T, newObj: T): boolean { return this.update(oldObj, newObj); }
  /** Informer handler: object deleted. */
  onDelete(obj: T): boolean { return this.update(obj, undefined); }

  /** Records a change from `prev` to `cur` (either absent); true when something is now pending. */
  update(prev: T | undefined, cur: T | undefined): boolean {
    const obj = cur ?? prev;
    if (!obj) return false;
    const id = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    let change = this.pending.get(id);
    if (!change) {
      change = { previous: prev ? this.extract(prev) : new Map(), current: new Map() };
      this.pending.set(id, change);
    }
    change.current = cur ? this.extract(cur) : new Map();
    if (sameMaps(change.previous, change.current, this.same)) this.pending.delete(id);
    return this.pending.size > 0;
  }

  /** Number of objects with pending changes. */
  get size(): number { return this.pending.size; }

  /** Takes every pending change (the tracker is empty afterwards). */
  drain(): PendingChange<V>[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }
}

function sameMaps<V>(a: Map<string, V>, b: Map<string, V>, same: (x: V | undefined, y: V | undefined) => boolean): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!same(v, b.get(k))) return false;
  return true;
}

/** Applies drained changes to a state map; returns the keys whose entry changed (added, updated or removed). */
export function applyChanges<V>(state: Map<string, V>, changes: PendingChange<V>[], same: (a: V | undefined, b: V | undefined) => boolean): Set<string> {
  const touched = new Set<string>();
  for (const { previous, current } of changes) {
    for (const key of previous.keys()) {
      if (current.has(key)) continue;
      if (state.delete(key)) touched.add(key);
    }
    for (const [key, v] of current) {
      if (same(state.get(key), v)) continue;
      state.set(key, v);
      touched.add(key);
    }
  }
  return touched;
}
