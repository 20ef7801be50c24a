/**
 * `kubesim down`: stops every process of a cluster and removes every namespace, link and mount
 * it created. Works on a half-dead cluster: it finds processes by record and by marker, and
 * namespaces by name prefix, not only by what the state file says.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { clusterLayout, STATE_ROOT } from '../cluster/layout.js';
import { readState } from '../cluster/state.js';
import { markedPids, stopPids } from '../cluster/supervisor.js';
import { namespacesWithPrefix, removeNamespace, removeBridge } from '../cluster/network.js';
import { unmountBelow } from '../cluster/mounts.js';

export interface DownOptions { name: string; quiet?: boolean; keepLogs?: boolean }

/** Tears a cluster down; safe to run twice. */
export async function down(o: DownOptions): Promise<void> {
  const say = (s: string) => { if (!o.quiet) console.log(s); };
  const state = readState(o.name);
  const c = clusterLayout(o.name, state?.index ?? (o.name === 'kubesim' ? 0 : -1));
  const pids = new Set<number>([...(state?.processes.map((p) => p.pid) ?? []), ...markedPids(o.name)]);
  await stopPids([...pids], 5000);
  // Anything started later by a component (pods, shims) that still carries the marker.
  await stopPids(markedPids(o.name), 1000);
  say(`stopped ${pids.size} process(es)`);
  const namespaces = await namespacesWithPrefix(`ksim-${o.name}-`);
  for (const ns of namespaces) await removeNamespace(ns);
  say(`removed ${namespaces.length} network namespace(s)`);
  if (c.index >= 0) await removeBridge(c);
  const dir = join(STATE_ROOT, o.name);
  const unmounted = unmountBelow(dir);
  if (unmounted) say(`unmounted ${unmounted} mount(s)`);
  if (existsSync(dir)) {
    if (o.keepLogs) {
      // Logs stay for inspection; keys and credentials never outlive the cluster.
      for (const sub of ['etcd', 'nodes', 'cluster.json', 'kubeconfig', 'kubeconfigs', 'pki']) rmSync(join(dir, sub), { recursive: true, force: true });
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  say(`cluster "${o.name}" is down`);
}
