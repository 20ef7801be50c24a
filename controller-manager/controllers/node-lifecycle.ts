/**
 * Node lifecycle (Kubernetes' NodeLifecycleController + NoExecuteTaintManager): a node whose
 * kubelet stops heartbeating (Lease in kube-node-lease renewed, or the Ready condition's
 * lastHeartbeatTime moving) for longer than the grace period gets its conditions set to Unknown,
 * its pods marked not Ready, and the `node.kubernetes.io/unreachable` taints; the taints follow
 * the Ready condition back when the kubelet returns. Pods on a node with NoExecute taints they do
 * not tolerate are deleted, at once or after their tolerationSeconds (counted from the taint's
 * timeAdded, so a new leader keeps the same deadlines).
 *
 * Heartbeats are timed with this process's clock when a change is observed (never the kubelet's
 * timestamps: clocks differ); a freshly started controller gives every node a full grace period.
 */
import type { Lease, Node, Pod, Taint, Toleration } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { clientLog } from '../../lib/client/log.js';
import { isApiError } from '../../lib/errors.js';
import { tolerates } from '../../scheduler/plugins/helpers/tolerations.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import type { Recorder } from '../recorder.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const NODE_LEASE_NS = 'kube-node-lease';
const UNKNOWN_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** Options of the node lifecycle controller. */
export interface NodeLifecycleOptions {
  /** How long a node may go without a heartbeat before it is marked Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** tolerationSeconds assumed for pods without not-ready/unreachable tolerations (default 5 min). */
  podEvictionTimeoutMs?: number;
}

interface Health { heartbeat: string; leaseRenew: string; probeAt: number }

function rfc3339(ms: number): string { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

/**
 * The taints the Ready condition calls for (Kubernetes' taint-nodes-by-condition + NoExecute).
 * In a full disruption (no node Ready: more likely the control plane or the network failed than
 * every node) NoExecute taints are withheld so nothing is evicted, as Kubernetes does.
 */
export function wantedTaints(ready: string | undefined, fullDisruption = false): Taint[] {
  if (ready === 'True') return [];
  const key = ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
  return fullDisruption ? [{ key, effect: 'NoSchedule' }] : [{ key, effect: 'NoExecute' }, { key, effect: 'NoSchedule' }];
}

/** The node's taints with the lifecycle taints replaced by `want` (keeping timeAdded of those already there); undefined = no change. */
export function reconcileTaints(current: Taint[], want: Taint[], now: number): Taint[] | undefined {
  const ours = (t: Taint) => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const have = current.filter(ours);
  if (have.length === want.length && want.every((w) => have.some((h) => same(h, w)))) return undefined;
  const kept = current.filter((t) => !ours(t));
  return [...kept, ...want.map((w) => have.find((h) => same(h, w)) ?? { ...w, timeAdded: rfc3339(now) })];
}

/**
 * When a pod on a node with these NoExecute taints must go: 'now', 'never', or a time (ms).
 * A pod without any toleration for not-ready/unreachable is treated as tolerating them for
 * `defaultMs` (what the DefaultTolerationSeconds admission plugin would have added).
 */
export function evictionTime(taints: Taint[], tolerations: Toleration[] | undefined, defaultMs: number, now: number): 'now' | 'never' | number {
  let at = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const since = Date.parse(taint.timeAdded ?? '') || now;
    const matching = (tolerations ?? []).filter((t) => tolerates(t, taint as never));
    if (!matching.length) {
      if (taint.key !== TAINT_UNREACHABLE && taint.key !== TAINT_NOT_READY) return 'now';
      at = Math.min(at, since + defaultMs);
      continue;
    }
    const secs = matching.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined && s !== null);
    if (!secs.length) continue; // tolerated forever
    at = Math.min(at, since + Math.max(0, Math.min(...secs)) * 1000);
  }
  if (at === Infinity) return 'never';
  return at <= now ? 'now' : at;
}

/** The node lifecycle controller with its taint-based eviction. */
export class NodeLifecycleController {
  readonly nodeQueue = new WorkQueue({ name: 'node-lifecycle' });
  readonly podQueue = new WorkQueue({ name: 'node-lifecycle-pods' });
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<Lease>;
  private readonly pods: SharedInformer<Pod>;
  private readonly health = new Map<string, Health>();
  private disrupted = false;
  private readonly graceMs: number;
  private readonly evictionMs: number;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, o: NodeLifecycleOptions = {}) {
    this.graceMs = o.nodeMonitorGracePeriodMs ?? 40_000;
    this.evictionMs = o.podEvictionTimeoutMs ?? 300_000;
    this.nodes = informers.informerFor<Node>({ resource: 'nodes' });
    this.leases = informers.informerFor<Lease>({ group: 'coordination.k8s.io', resource: 'leases' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.nodes.addEventHandler({
      onAdd: (n) => this.nodeQueue.add(n.metadata!.name!),
      onUpdate: (_o, n) => this.nodeQueue.add(n.metadata!.name!),
      onDelete: (n) => { this.health.delete(n.metadata!.name!); },
    });
    const leaseChanged = (l: Lease) => { if (l.metadata?.namespace === NODE_LEASE_NS) this.nodeQueue.add(l.metadata.name!); };
    this.leases.addEventHandler({ onAdd: leaseChanged, onUpdate: (_o, l) => leaseChanged(l) });
    const podChanged = (p: Pod) => { if (p.spec?.nodeName && !p.metadata?.deletionTimestamp) this.podQueue.add(keyOf(p)); };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
  }

  /** Runs the node and pod loops until signal aborts. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    const log = (key: string, err: unknown) => clientLog('warn', 'node lifecycle sync failed', { key, error: (err as Error).message });
    await Promise.all([
      runWorkers(this.nodeQueue, Math.max(1, Math.min(workers, 2)), (k) => this.syncNode(k), signal, log),
      runWorkers(this.podQueue, workers, (k) => this.syncPod(k), signal, log),
    ]);
  }

  /** Updates the observed heartbeat of a node; returns when it was last seen alive (local clock). */
  private observe(node: Node, now: number): number {
    const name = node.metadata!.name!;
    const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '';
    const leaseRenew = this.leases.lister.get(NODE_LEASE_NS, name)?.spec?.renewTime ?? '';
    const prev = this.health.get(name);
    if (!prev || prev.heartbeat !== heartbeat || prev.leaseRenew !== leaseRenew) {
      this.health.set(name, { heartbeat, leaseRenew, probeAt: now });
      return now;
    }
    return prev.probeAt;
  }

  /** Converges one node: conditions after a missed heartbeat, lifecycle taints, its pods. */
  async syncNode(name: string): Promise<void> {
    let node = this.nodes.lister.get(undefined, name);
    if (!node) return;
    const now = Date.now();
    const probeAt = this.observe(node, now);
    let ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (now - probeAt > this.graceMs) {
      if (ready !== 'Unknown') node = await this.markUnknown(node, now);
      ready = 'Unknown';
      await this.markPodsNotReady(name);
    } else {
      this.nodeQueue.addAfter(name, probeAt + this.graceMs - now + 50);
    }
    // A node that never posted a Ready condition is left alone until its grace period ends.
    const disrupted = this.fullDisruption(name, ready);
    const taints = ready === undefined ? undefined : reconcileTaints(node.spec?.taints ?? [], wantedTaints(ready, disrupted), now);
    if (taints) {
      const next = structuredClone(node);
      next.spec = { ...(next.spec ?? {}), taints };
      // A conflict (the kubelet posted meanwhile) throws: the key is retried with a fresh cache.
      await this.client.update({ resource: 'nodes' }, next);
      clientLog('info', 'node taints updated', { node: name, ready, taints: taints.map((t) => `${t.key}:${t.effect}`).join(',') });
    }
    for (const p of this.pods.lister.byIndex('nodeName', name)) this.podQueue.add(keyOf(p));
  }

  /** True when no node is Ready (this one counted with its new state); a change re-syncs every node. */
  private fullDisruption(name: string, ready: string | undefined): boolean {
    const nodes = this.nodes.lister.list();
    const now = nodes.length > 0 && nodes.every((n) => (n.metadata?.name === name ? ready : n.status?.conditions?.find((c) => c.type === 'Ready')?.status) !== 'True');
    if (now !== this.disrupted) {
      this.disrupted = now;
      clientLog(now ? 'warn' : 'info', now ? 'full disruption: no node is Ready; evictions stop' : 'full disruption over; evictions resume', { nodes: nodes.length });
      for (const n of nodes) if (n.metadata?.name !== name) this.nodeQueue.add(n.metadata!.name!);
    }
    return now;
  }

  private async markUnknown(node: Node, now: number): Promise<Node> {
    const next = structuredClone(node);
    const status = (next.status ??= {});
    const conds = (status.conditions ??= []);
    for (const type of UNKNOWN_CONDITIONS) {
      let c = conds.find((x) => x.type === type);
      const never = !c;
      if (!c) { c = { type, lastHeartbeatTime: node.metadata?.creationTimestamp }; conds.push(c); }
      if (c.status === 'Unknown') continue;
      Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: never ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) });
    }
    const updated = await this.client.updateStatus({ resource: 'nodes' }, next);
    clientLog('info', 'node stopped posting status', { node: node.metadata!.name });
    this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
    return updated;
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const p of this.pods.lister.byIndex('nodeName', nodeName)) {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False' || p.metadata?.deletionTimestamp) continue;
      const next = structuredClone(p);
      const c = next.status!.conditions!.find((x) => x.type === 'Ready')!;
      Object.assign(c, { status: 'False', reason: 'NodeNotReady', lastTransitionTime: rfc3339(Date.now()) });
      await this.client.updateStatus({ resource: 'pods', namespace: p.metadata!.namespace! }, next).catch((err) => {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      });
      this.recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  /** Evicts one pod when its node's NoExecute taints say so (or schedules the check). */
  async syncPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.get(namespace, name);
    if (!pod || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) return;
    const node = this.nodes.lister.get(undefined, pod.spec.nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!taints.length || this.disrupted) return;
    const now = Date.now();
    const when = evictionTime(taints, pod.spec.tolerations, this.evictionMs, now);
    if (when === 'never') return;
    if (when !== 'now') { this.podQueue.addAfter(key, when - now + 10); return; }
    this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    clientLog('info', 'evicting pod from tainted node', { pod: key, node: pod.spec.nodeName });
    await this.client.delete({ resource: 'pods', namespace, name }, { preconditions: { uid: pod.metadata!.uid } }).catch((err) => {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    });
  }
}
