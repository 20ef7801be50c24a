/**
 * Periodic etcd compaction, as kube-apiserver's (--etcd-compaction-interval, default 5 min): every
 * interval, compact up to the revision seen one interval earlier, so clients always have at least
 * one interval of history to resume watches from. Several apiservers coordinate through one key
 * (`compact_rev_key`) so only one of them compacts per interval.
 */
import { stderrLog, type LogFn } from './log.js';
import type { EtcdStore } from './store.js';

/** Key the apiservers race on (the same name kube-apiserver uses). */
export const COMPACT_REV_KEY = 'compact_rev_key';

/** Runs compaction rounds until `signal` aborts; `onCompact` observes each compaction (logs, tests). */
export async function runCompactor(store: EtcdStore, intervalMs: number, signal: AbortSignal, onCompact?: (rev: number) => void, log: LogFn = stderrLog): Promise<void> {
  let version = 0;
  let previousRev = 0;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal.aborted) return;
    try {
      const res = await store.client.kv.txn({
        compare: [{ key: Buffer.from(COMPACT_REV_KEY), target: 'Version', result: 'Equal', version }],
        success: [{ request_put: { key: Buffer.from(COMPACT_REV_KEY), value: Buffer.from(String(previousRev)) } }],
        failure: [{ request_range: { key: Buffer.from(COMPACT_REV_KEY) } }],
      });
      const rev = Number(res.header.revision);
      if (res.succeeded) {
        version++;
        // Compact only what was already there one interval ago.
        if (previousRev > 0) { await store.compact(previousRev); onCompact?.(previousRev); log('info', 'etcd compacted', { revision: previousRev }); }
      } else {
        // Another apiserver compacted this round: follow its key version.
        version = Number(res.responses[0]?.response_range?.kvs?.[0]?.version ?? version);
      }
      previousRev = rev;
    } catch (err) {
      // Compaction is housekeeping: a failed round (etcd away, already compacted) is retried next interval.
      if (!String((err as Error)?.message ?? err).includes('compacted')) log('warn', 'etcd compaction failed', { err: String((err as Error)?.message ?? err) });
    }
  }
}
