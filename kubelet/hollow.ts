/**
 * Hollow nodes (kubemark/kwok style): one process registers N fake nodes, heartbeats them,
 * and plays the kubelet for pods bound to them — Running and Ready with a made-up IP after a
 * startup delay, finished with grace 0 when deleted — without any runtime. Liveness is the
 * node Lease (renewed every 10 s); the Node status is re-posted only every 5 min, as the real
 * kubelet does when nothing changed, so a thousand nodes cost ~100 small writes a second. For control-plane
 * scale experiments; pod IPs come from 100.64.0.0/10 so they never collide with real pods.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { SharedInformer } from '../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../lib/client/workqueue.js';
import { isApiError } from '../lib/errors.js';
import { NodeLease } from './node-lease.js';
import { heartbeat, registerNode, type NodeIdentity } from './node-status.js';
import { buildPodStatus } from './pod-status.js';
import type { Logger } from './runtime/log.js';

/** Hollow kubelet settings. */
export interface HollowOptions {
  client: ApiClient; count: number; prefix: string; startupMs?: number; log: Logger;
  /** Node status report period (the real kubelet's nodeStatusReportFrequency, 5 min); liveness comes from the Lease. */
  heartbeatMs?: number;
  /** Node Lease duration in seconds (renewed every quarter of it). */
  leaseDurationSeconds?: number;
  /** Pod status writers running at once. */
  workers?: number;
}

/** Runs fn over items with at most `limit` calls in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => { while (next < items.length) await fn(items[next++]); }));
}

/** Node identity of hollow node i. */
export function hollowNode(prefix: string, i: number): NodeIdentity {
  return { name: `${prefix}${i}`, ip: `198.18.${(i >> 8) & 255}.${i & 255}`, podCIDR: `100.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`, labels: { 'kubesim.io/hollow': 'true' } };
}

/** Runs the hollow nodes until the signal aborts. */
export async function runHollowNodes(o: HollowOptions, signal: AbortSignal): Promise<void> {
  setMaxListeners(100, signal);
  const nodes = new Map<string, NodeIdentity & { nextIp: number; lease: NodeLease }>();
  for (let i = 0; i < o.count; i++) {
    const id = hollowNode(o.prefix, i);
    nodes.set(id.name, { ...id, nextIp: 2, lease: new NodeLease(o.client, id.name, o.leaseDurationSeconds ?? 40) });
  }
  // Registration and renewals run a few at a time: one round trip each, never a thousand at once.
  await eachLimited([...nodes.values()], 16, async (n) => { await registerNode(o.client, n); await n.lease.renew(); });
  o.log.info('hollow nodes registered', { count: o.count, prefix: o.prefix });
  const pods = new SharedInformer<Pod>(o.client, { resource: 'pods' });
  const queue = new WorkQueue({ name: 'hollow-kubelet' });
  const enqueue = (p: Pod) => { if (nodes.has(p.spec?.nodeName ?? '')) queue.add(`${p.metadata!.namespace}/${p.metadata!.name}`); };
  pods.addEventHandler({ onAdd: enqueue, onUpdate: (_o, p) => enqueue(p) });
  void pods.run(signal);
  const sync = async (key: string) => {
    const [ns, name] = key.split('/');
    const pod = pods.lister.get(ns, name);
    if (!pod) return;
    if (pod.metadata?.deletionTimestamp) {
      await o.client.delete({ resource: 'pods', namespace: ns, name }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
        .catch((err) => { if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err; });
      return;
    }
    if (pod.status?.phase !== 'Pending' && pod.status?.phase !== undefined) return;
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '') || Date.now();
    const wait = created + (o.startupMs ?? 100) - Date.now();
    if (wait > 0) { queue.addAfter(key, wait); return; }
    const node = nodes.get(pod.spec!.nodeName!)!;
    const n = node.nextIp++;
    const base = node.podCIDR!.split('.').slice(0, 2).join('.');
    const podIP = `${base}.${node.podCIDR!.split('.')[2]}.${2 + (n % 250)}`;
    const now = Date.now();
    const view = (c: { name?: string; image?: string }) => ({
      name: c.name!, image: c.image ?? '', restartCount: 0, ready: true,
      latest: { id: `hollow-${pod.metadata!.uid}-${c.name}`, state: 1, startedAt: now * 1e6, finishedAt: 0, exitCode: 0, reason: '', message: '', imageRef: c.image ?? '' },
    });
    const init = (pod.spec?.initContainers ?? []).map((c) => ({ ...view(c), ready: false, latest: { ...view(c).latest, state: 2, finishedAt: now * 1e6, reason: 'Completed' } }));
    const next = structuredClone(pod);
    next.status = buildPodStatus(pod, { init, main: (pod.spec?.containers ?? []).map(view), podIP, hostIP: node.ip, nowMs: now });
    await o.client.updateStatus({ resource: 'pods', namespace: ns }, next).catch((err) => { if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err; });
  };
  const every = async (ms: number, what: string, fn: (n: NodeIdentity & { lease: NodeLease }) => Promise<unknown>) => {
    while (!signal.aborted) {
      await sleep(ms, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      await eachLimited([...nodes.values()], 16, (n) => signal.aborted ? Promise.resolve() : fn(n).catch((err: Error) => o.log.warn(`hollow ${what} failed`, { node: n.name, err: err.message })));
    }
  };
  const renewMs = [...nodes.values()][0]?.lease.renewIntervalMs ?? 10_000;
  const beats = Promise.all([every(renewMs, 'lease renewal', (n) => n.lease.renew()), every(o.heartbeatMs ?? 300_000, 'status report', (n) => heartbeat(o.client, n))]);
  await Promise.all([beats, runWorkers(queue, o.workers ?? 32, sync, signal, (key, err) => o.log.warn('hollow pod sync failed', { pod: key, err: (err as Error).message }))]);
}
