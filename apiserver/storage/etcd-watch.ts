/**
 * A direct etcd watch on a key prefix from a revision, delivering StorageEvents. Used by the
 * watch cache (one per resource) and for watches that start before the cache's window.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { EtcdKv } from './etcd-kv.js';
import { prefixEnd } from './keys.js';
import { decode } from './store.js';
import { fromEtcdEvent, type StorageEvent } from './watch-filter.js';

/** Callbacks of a running prefix watch. */
export interface PrefixWatchHandlers {
  /**
   * The caller's own copy of every key's state (a watch cache) at `revision()`: previous states
   * are taken from it, and etcd sends no previous values (no extra read per event on its side,
   * one JSON parse less per update on ours). Without it, previous values come from etcd (prev_kv).
   */
  state?: { get(key: string): KObject | undefined; revision(): number };
  /** Events of one etcd response, in revision order, plus the response header revision. */
  onEvents(events: StorageEvent[], headerRevision: number): void;
  /** The watch ended for good (compacted start revision, cancel): ApiError Gone for compaction. */
  onError(err: ApiError): void;
}

/** A running prefix watch. */
export interface PrefixWatch { cancel(): Promise<void> }

/** Starts watching `prefix` after revision `afterRev`; resolves once etcd accepted the watch. */
export async function watchPrefix(kv: EtcdKv, prefix: string, afterRev: number, h: PrefixWatchHandlers): Promise<PrefixWatch> {
  const state = h.state;
  const watch = kv.watch({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: afterRev + 1, prev_kv: !state }, {
    onEvents: (evs, headerRevision) => {
      const events: StorageEvent[] = [];
      // Within one response a key may change twice: its later event's previous state is the earlier one.
      // Events the state already holds are left to the caller to skip.
      const seen = new Map<string, KObject | undefined>();
      const applied = state?.revision() ?? 0;
      for (const ev of evs) {
        const key = ev.kv.key.toString('utf8');
        const fresh = state !== undefined && Number(ev.kv.mod_revision) > applied;
        const prev = fresh ? (seen.has(key) ? seen.get(key) : state!.get(key)) : undefined;
        const se = fromEtcdEvent(ev.type, ev.kv, ev.prev_kv, decode as never, prev);
        if (se) events.push(se);
        if (fresh) seen.set(key, se && se.type !== 'DELETED' ? se.obj : undefined);
      }
      h.onEvents(events, headerRevision);
    },
    onEnd: (err, compactRevision) => {
      if (compactRevision > 0) h.onError(new ApiError('Gone', `too old resource version: ${afterRev} (${afterRev + 1})`));
      else h.onError(new ApiError('Unavailable', `etcd watch failed: ${err.message}`));
    },
  });
  // etcd accepts the watch or ends it (compaction); while it cannot be reached the watch keeps trying.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([watch.created, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError('Unavailable', 'etcd watch was not created in time')), 15_000);
    })]);
  } catch (err) {
    watch.cancel();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { cancel: async () => watch.cancel() };
}
