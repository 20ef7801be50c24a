/**
 * A direct etcd watch on a key prefix from a revision, delivering StorageEvents. Used by the
 * watch cache (one per resource) and for watches that start before the cache's window.
 */
import type { Etcd3 } from 'etcd3';
import { ApiError } from '../../lib/errors.js';
import { decode } from './store.js';
import { fromEtcdEvent, type StorageEvent } from './watch-filter.js';

/** Callbacks of a running prefix watch. */
export interface PrefixWatchHandlers {
  /** Events of one etcd response, in revision order, plus the response header revision. */
  onEvents(events: StorageEvent[], headerRevision: number): void;
  /** The watch ended for good (compacted start revision, cancel): ApiError Gone for compaction. */
  onError(err: ApiError): void;
}

/** A running prefix watch. */
export interface PrefixWatch { cancel(): Promise<void> }

/** Starts watching `prefix` after revision `afterRev`; resolves once etcd accepted the watch. */
export async function watchPrefix(client: Etcd3, prefix: string, afterRev: number, h: PrefixWatchHandlers): Promise<PrefixWatch> {
  let dead = false;
  const watcher = client.watch().prefix(prefix).withPreviousKV().startRevision(String(afterRev + 1)).watcher();
  watcher.on('data', (res) => {
    const events: StorageEvent[] = [];
    for (const ev of res.events) {
      const se = fromEtcdEvent(ev.type, ev.kv as never, (ev.prev_kv ?? undefined) as never, decode as never);
      if (se) events.push(se);
    }
    h.onEvents(events, Number(res.header.revision));
  });
  watcher.on('error', (err: Error) => {
    dead = true;
    const msg = String(err?.message ?? err);
    if (msg.includes('compacted')) h.onError(new ApiError('Gone', `too old resource version: ${afterRev} (${afterRev + 1})`));
    else h.onError(new ApiError('Unavailable', `etcd watch failed: ${msg}`));
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new ApiError('Unavailable', 'etcd watch was not created in time')), 15_000);
    watcher.once('connected', () => { clearTimeout(t); resolve(); });
    watcher.once('error', () => { clearTimeout(t); resolve(); });
  });
  // Cancelling a watch etcd already cancelled confuses the client's stream bookkeeping: skip it.
  return { cancel: () => (dead ? Promise.resolve() : (dead = true, watcher.cancel())) };
}
