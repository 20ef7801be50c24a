/**
 * Pod garbage collector (Kubernetes' PodGC): every period it force-deletes pods bound to a node
 * that no longer exists (checked live against the apiserver: the node cache may lag), pods being
 * deleted that were never scheduled (no kubelet will ever finish them), and, beyond
 * --terminated-pod-gc-threshold, the oldest terminated (Succeeded/Failed) pods.
 */
import type { Node, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { keyOf } from '../../lib/client/indexer.js';
import { sleep } from '../../lib/client/backoff.js';
import { clientLog } from '../../lib/client/log.js';
import { isApiError } from '../../lib/errors.js';
import type { InformerFactory } from '../../lib/client/informer.js';

/** Options of the pod GC. */
export interface PodGCOptions {
  /** Terminated pods kept before the oldest are deleted; <= 0 disables (default 12500). */
  terminatedPodGCThreshold?: number;
  /** Time between passes (default 20 s). */
  periodMs?: number;
}

/** Succeeded or Failed. */
export function isTerminated(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** The terminated pods to delete so at most `threshold` remain: oldest first (name breaks ties). */
export function terminatedPodsOverThreshold(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const done = pods.filter((p) => isTerminated(p) && !p.metadata?.deletionTimestamp);
  if (done.length <= threshold) return [];
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  done.sort((a, b) => created(a) - created(b) || (keyOf(a) < keyOf(b) ? -1 : 1));
  return done.slice(0, done.length - threshold);
}

/** The pod garbage collector. */
export class PodGC {
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly threshold: number;
  private readonly periodMs: number;

  constructor(informers: InformerFactory, private readonly client: ApiClient, o: PodGCOptions = {}) {
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.nodes = informers.informerFor<Node>({ resource: 'nodes' });
    this.threshold = o.terminatedPodGCThreshold ?? 12_500;
    this.periodMs = o.periodMs ?? 20_000;
  }

  /** Runs a pass every period until signal aborts (workers is unused: passes are sequential). */
  async run(_workers: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        clientLog('warn', 'pod gc pass failed', { error: (err as Error).message });
      }
      await sleep(this.periodMs, signal);
    }
  }

  /** One pass: terminated over threshold, orphaned, unscheduled terminating. */
  async gc(): Promise<void> {
    const pods = this.pods.lister.list();
    for (const p of terminatedPodsOverThreshold(pods, this.threshold)) await this.forceDelete(p, 'terminated pod over threshold');
    const missing = new Map<string, boolean>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (!node) {
        if (p.metadata?.deletionTimestamp) await this.forceDelete(p, 'unscheduled pod being deleted');
        continue;
      }
      if (this.nodes.lister.get(undefined, node)) continue;
      if (!missing.has(node)) missing.set(node, await this.nodeGone(node));
      if (missing.get(node)) await this.forceDelete(p, 'pod bound to a node that no longer exists');
    }
  }

  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.client.get({ resource: 'nodes', name });
      return false;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return true;
      throw err;
    }
  }

  private async forceDelete(p: Pod, why: string): Promise<void> {
    clientLog('info', 'garbage collecting pod', { pod: keyOf(p), node: p.spec?.nodeName, reason: why });
    await this.client.delete({ resource: 'pods', namespace: p.metadata!.namespace!, name: p.metadata!.name! }, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata!.uid } }).catch((err) => {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    });
  }
}
