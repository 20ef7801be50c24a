/**
 * Hollow nodes (kubemark/kwok style): one process registers N fake nodes, heartbeats them,
 * and plays the kubelet for pods bound to them — Running and Ready with a made-up IP after a
 * startup delay, finished with grace 0 when deleted — without any runtime. For control-plane
 * scale experiments; pod IPs come from 100.64.0.0/10 so they never collide with real pods.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { SharedInformer } from '../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../lib/client/workqueue.js';
import { isApiError } from '../lib/errors.js';
import { heartbeat, registerNode, type NodeIdentity } from './node-status.js';
import { buildPodStatus } from './pod-status.js';
import type { Logger } from './runtime/log.js';

/** Hollow kubelet settings. */
export interface HollowOptions { client: ApiClient; count: number; prefix: string; startupMs?: number; heartbeatMs?: number; log: Logger }

/** Node identity of hollow node i. */
export function hollowNode(prefix: string, i: number): NodeIdentity {
  return { name: `${prefix}${i}`, ip: `198.18.${(i >> 8) & 255}.${i & 255}`, podCIDR: `100.${64 + ((i >> 8) & 63)}.${i & 255}.0/24`, labels: { 'kubesim.io/hollow': 'true' } };
}

/** Runs the hollow nodes until the signal aborts. */
export async function runHollowNodes(o: HollowOptions, signal: AbortSignal): Promise<void> {
  setMaxListeners(100, signal);
  const nodes = new Map<string, NodeIdentity & { nextIp: number }>();
  for (let i = 0; i < o.count; i++) {
    const id = hollowNode(o.prefix, i);
    await registerNode(o.client, id);
    nodes.set(id.name, { ...id, nextIp: 2 });
  }
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
  const beats = (async () => {
    while (!signal.aborted) {
      await sleep(o.heartbeatMs ?? 10_000, undefined, { signal }).catch(() => undefined);
      for (const id of nodes.values()) if (!signal.aborted) await heartbeat(o.client, id).catch((err: Error) => o.log.warn('hollow heartbeat failed', { node: id.name, err: err.message }));
    }
  })();
  await Promise.all([beats, runWorkers(queue, 8, sync, signal, (key, err) => o.log.warn('hollow pod sync failed', { pod: key, err: (err as Error).message }))]);
}
