/**
 * DaemonSet controller: one pod per eligible node (nodeSelector, required node affinity, taints
 * not tolerated with NoSchedule/NoExecute). Each pod is pinned to its node with node affinity on
 * `metadata.name` (as Kubernetes does since 1.12) and carries the daemon tolerations, so the
 * scheduler binds it. A node that joins gets a pod; a node that leaves (or stops matching) loses
 * it; a template change rolls pods node by node within maxUnavailable.
 */
import type { DaemonSet, Node, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { requiredNodeAffinity } from '../../scheduler/plugins/helpers/node-selector.js';
import { findUntoleratedTaint } from '../../scheduler/plugins/helpers/tolerations.js';
import { controllerRef, isPodActive, isPodReady, ownerRefFor, podFromTemplate } from '../pods.js';
import type { Recorder } from '../recorder.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import { podTemplateHash } from './deployment/hash.js';
import { intOrPercent } from './deployment/util.js';

const HASH_LABEL = 'controller-revision-hash';

/** Tolerations every daemon pod gets (Kubernetes' AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The pod spec a daemon pod for `node` gets: the template + daemon tolerations + node pinning. */
export function daemonPod(ds: DaemonSet, node: string, hash: string): Pod {
  const pod = podFromTemplate(ds.spec?.template, ds.metadata!.namespace!, `${ds.metadata!.name}-`, ownerRefFor(ds, 'apps/v1', 'DaemonSet'));
  pod.metadata!.labels = { ...pod.metadata!.labels, [HASH_LABEL]: hash };
  const spec = pod.spec!;
  const tolerations = [...(spec.tolerations ?? [])];
  for (const t of DAEMON_TOLERATIONS) if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
  spec.tolerations = tolerations;
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
  } } };
  return pod;
}

/** The node a daemon pod is pinned to. */
export function pinnedNode(p: Pod): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
}

/** True when a daemon pod of ds should run on node. */
export function shouldRun(ds: DaemonSet, node: Node): boolean {
  if (node.metadata?.deletionTimestamp) return false;
  const probe = { metadata: {}, spec: { ...(ds.spec?.template?.spec ?? {}), affinity: ds.spec?.template?.spec?.affinity } } as never;
  if (!requiredNodeAffinity(probe).matches(node as never)) return false;
  const tolerations = [...(ds.spec?.template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return !findUntoleratedTaint(node.spec?.taints as never, tolerations as never, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
}

/** The DaemonSet controller. */
export class DaemonSetController {
  readonly queue = new WorkQueue({ name: 'daemonset' });
  private readonly sets: SharedInformer<DaemonSet>;
  private readonly nodes: SharedInformer<Node>;
  private readonly pods: SharedInformer<Pod>;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder) {
    this.sets = informers.informerFor<DaemonSet>({ group: 'apps', resource: 'daemonsets' });
    this.nodes = informers.informerFor<Node>({ resource: 'nodes' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.sets.addEventHandler({ onAdd: (d) => this.queue.add(keyOf(d)), onUpdate: (_o, d) => this.queue.add(keyOf(d)) });
    const all = () => { for (const d of this.sets.lister.list()) this.queue.add(keyOf(d)); };
    this.nodes.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
    const podChanged = (p: Pod) => { const ref = controllerRef(p); if (ref?.kind === 'DaemonSet') this.queue.add(`${p.metadata?.namespace}/${ref.name}`); };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges one DaemonSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.sets.lister.get(namespace, name);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const hash = podTemplateHash(ds.spec?.template);
    const byNode = new Map<string, Pod[]>();
    for (const p of this.pods.lister.byIndex('ownerUID', ds.metadata!.uid!)) {
      if (!isPodActive(p)) { if (p.status?.phase === 'Failed' && !p.metadata?.deletionTimestamp) await this.deletePod(ds, p); continue; }
      const n = pinnedNode(p) ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = this.nodes.lister.list();
    const wanted = new Set(nodes.filter((n) => shouldRun(ds, n)).map((n) => n.metadata!.name!));
    for (const n of wanted) {
      if (!byNode.get(n)?.length) await this.createPod(ds, n, hash);
    }
    for (const [n, pods] of byNode) {
      const extra = wanted.has(n) ? pods.slice(1) : pods; // one per node; none where it should not run
      for (const p of extra) await this.deletePod(ds, p);
    }
    await this.rollingUpdate(ds, byNode, wanted, hash);
    await this.writeStatus(ds, byNode, wanted, hash);
  }

  private async rollingUpdate(ds: DaemonSet, byNode: Map<string, Pod[]>, wanted: Set<string>, hash: string): Promise<void> {
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    const maxUnavailable = Math.max(1, intOrPercent(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable as never, wanted.size, false, '1'));
    let unavailable = [...wanted].filter((n) => !(byNode.get(n) ?? []).some((p) => isPodReady(p) && !p.metadata?.deletionTimestamp)).length;
    for (const n of wanted) {
      if (unavailable >= maxUnavailable) return;
      const p = byNode.get(n)?.[0];
      if (!p || p.metadata?.deletionTimestamp || p.metadata?.labels?.[HASH_LABEL] === hash) continue;
      await this.deletePod(ds, p);
      unavailable++;
    }
  }

  private async createPod(ds: DaemonSet, node: string, hash: string): Promise<void> {
    try {
      const p = await this.client.create<Pod>({ resource: 'pods', namespace: ds.metadata!.namespace! }, daemonPod(ds, node, hash));
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name}`);
    } catch (err) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(ds: DaemonSet, p: Pod): Promise<void> {
    await this.client.delete({ resource: 'pods', namespace: p.metadata!.namespace!, name: p.metadata!.name! }).then(
      () => this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`),
      (err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }

  private async writeStatus(ds: DaemonSet, byNode: Map<string, Pod[]>, wanted: Set<string>, hash: string): Promise<void> {
    let scheduled = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
    for (const [n, pods] of byNode) {
      const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
      if (!live.length) continue;
      if (!wanted.has(n)) { misscheduled++; continue; }
      scheduled++;
      if (live.some(isPodReady)) { ready++; available++; }
      if (live.some((p) => p.metadata?.labels?.[HASH_LABEL] === hash)) updated++;
    }
    const status = {
      ...(ds.status ?? {}),
      currentNumberScheduled: scheduled, numberMisscheduled: misscheduled, desiredNumberScheduled: wanted.size,
      numberReady: ready, updatedNumberScheduled: updated, numberAvailable: available,
      numberUnavailable: Math.max(0, wanted.size - available), observedGeneration: ds.metadata?.generation,
    };
    if (JSON.stringify(status) === JSON.stringify(ds.status)) return;
    const next = structuredClone(ds);
    next.status = status;
    await this.client.updateStatus({ group: 'apps', resource: 'daemonsets', namespace: ds.metadata!.namespace! }, next).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }
}
