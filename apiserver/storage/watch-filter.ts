/**
 * Turns storage events into the events one watcher sees through its selector, as Kubernetes'
 * watch cache does: an object that starts matching is ADDED, one that stops matching is DELETED
 * (carrying its previous state at the new resourceVersion).
 */
import type { KObject } from '../../lib/api/object.js';
import type { WatchEvent } from '../registry/types.js';
import { withRv } from './store.js';

/** One change in storage: the new object (DELETED: the last state) and the previous one. */
export interface StorageEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; obj: KObject; prev?: KObject; rev: number }

/** Decides whether an object is visible to a watcher (namespace, label and field selectors). */
export type Predicate = (obj: KObject) => boolean;

/** The event a watcher with `matches` sees for `ev`, or undefined when it sees nothing. */
export function filterEvent(ev: StorageEvent, matches: Predicate): WatchEvent | undefined {
  if (ev.type === 'DELETED') return matches(ev.obj) ? { type: 'DELETED', object: ev.obj } : undefined;
  const now = matches(ev.obj);
  const before = ev.prev !== undefined && matches(ev.prev);
  if (now && before) return { type: 'MODIFIED', object: ev.obj };
  if (now) return { type: 'ADDED', object: ev.obj };
  if (before) return { type: 'DELETED', object: withRv(ev.prev!, ev.rev) };
  return undefined;
}

interface RawKv { key: Buffer; value: Buffer; mod_revision: string; create_revision: string; lease: string }

/**
 * Builds a StorageEvent from an etcd watch event. Deletes and selector moves need the previous
 * state: `known` when the caller keeps it (a watch cache), else decoded from etcd's prev_kv.
 */
export function fromEtcdEvent(type: string, kv: RawKv, prevKv: RawKv | undefined, decode: (kv: RawKv) => { obj: KObject }, known?: KObject): StorageEvent | undefined {
  const rev = Number(kv.mod_revision);
  const key = kv.key.toString('utf8');
  const prev = known ?? (prevKv && prevKv.value?.length ? decode(prevKv).obj : undefined);
  if (type === 'Delete' || type === 'delete') {
    if (!prev) return undefined; // without a previous value there is nothing to report
    return { type: 'DELETED', key, obj: withRv(prev, rev), rev };
  }
  const obj = decode(kv).obj;
  return { type: kv.create_revision === kv.mod_revision ? 'ADDED' : 'MODIFIED', key, obj, prev, rev };
}
