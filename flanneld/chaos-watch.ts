/**
 * Chaos rules from etcd: `<prefix>/chaos/<PublicIP>` (this node) or `<prefix>/chaos/all`
 * holds a chaos config as JSON (see datapath/chaos.ts); the node's own key wins. Deleting
 * the keys clears the rules. This is how `kubesim chaos` reaches every node at once.
 */
import type { Etcd3 } from 'etcd3';
import { parseChaos, type Chaos } from './datapath/chaos.js';
import { backoff, sleep } from './abort.js';
import { logger } from './log.js';

const log = logger('flanneld/chaos');

/** The etcd key of the chaos rules for one node (its PublicIP) or for every node ('all'). */
export function chaosKey(prefix: string, node: string): string { return `${prefix}/chaos/${node}`; }

/** Validates and stores chaos rules for a node or 'all' (what `kubesim chaos` calls); Invalid ApiError on bad rules. */
export async function putChaos(client: Etcd3, prefix: string, node: string, rules: unknown): Promise<void> {
  await client.put(chaosKey(prefix, node)).value(JSON.stringify(parseChaos(rules)));
}

/** Removes the chaos rules of a node or 'all'. */
export async function clearChaos(client: Etcd3, prefix: string, node: string): Promise<void> {
  await client.delete().key(chaosKey(prefix, node));
}

/** Keeps chaos in line with the etcd keys until signal aborts. */
export async function watchChaosKeys(client: Etcd3, prefix: string, publicIp: string, chaos: Chaos, signal: AbortSignal): Promise<void> {
  const own = chaosKey(prefix, publicIp), all = chaosKey(prefix, 'all');
  const values = new Map<string, string>();
  const apply = (): void => {
    const text = values.get(own) ?? values.get(all);
    if (text === undefined) { chaos.set({ peers: {} }); return; }
    try {
      chaos.set(parseChaos(JSON.parse(text)));
      log.info('chaos rules set from etcd', { rules: text });
    } catch (err) {
      log.error('ignoring invalid chaos rules in etcd', { err });
    }
  };
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const watcher = await client.watch().prefix(`${prefix}/chaos/`).create();
      watcher.on('put', (kv) => { values.set(kv.key.toString(), kv.value.toString()); apply(); });
      watcher.on('delete', (kv) => { values.delete(kv.key.toString()); apply(); });
      for (const key of [own, all]) {
        const v = await client.get(key).string();
        if (v !== null) values.set(key, v); else values.delete(key);
      }
      apply();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await watcher.cancel().catch(() => undefined);
      return;
    } catch (err) {
      log.warn('watching chaos keys failed, retrying', { err });
      await sleep(backoff(attempt, 500, 10_000), signal);
    }
  }
}
