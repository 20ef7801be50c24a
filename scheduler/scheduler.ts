/**
 * The scheduler loop: informer events keep a Snapshot (nodes + bound pods) and the
 * SchedulingQueue (unbound pods of this scheduler) current; one cycle at a time pops a pod,
 * runs the framework, assumes the chosen node in the snapshot (so the next pod already sees
 * this pod's requests) and binds asynchronously through pods/binding. Failures become a
 * FailedScheduling event, a PodScheduled=False condition and a requeue.
 */
import type { ApiClient } from '../lib/client/api-client.js';
import type { KObject } from '../lib/api/object.js';
import type { EventHandlers } from '../lib/client/informer.js';
import { clientLog } from '../lib/client/log.js';
import { isApiError } from '../lib/errors.js';
import { schedulePod, type Decision } from './framework/cycle.js';
import { fitErrorMessage } from './framework/fit-error.js';
import { preempt, type PreemptionCandidate } from './framework/preemption.js';
import type { Framework } from './framework/registry.js';
import type { PreBindContext } from './framework/interfaces.js';
import { isTerminated, Snapshot } from './framework/snapshot.js';
import { podKey, type Node, type Pod } from './framework/types.js';
import type { EventRecorder } from '../lib/client/event-recorder.js';
import { SchedulingQueue, type QueuedPod } from './queue/scheduling-queue.js';
import { nodeChangeMayHelp, podSpecChanged } from './change-filters.js';
import { SchedulerMetrics } from './metrics.js';
import { decisionLines } from './decision-log.js';

/** Where the scheduler records Events (lib/client's EventRecorder, or a wrapper of it). */
export type EventSink = Pick<EventRecorder, 'event'>;

/** The annotation holding the decision record when `decisionAnnotation` is on. */
export const DECISION_ANNOTATION = 'scheduler.kubesim.io/decision';

/** What a Scheduler needs. */
export interface SchedulerOptions {
  /** One framework per profile; a pod picks its profile by `spec.schedulerName`. */
  frameworks: Framework[];
  client: ApiClient;
  /** Where a profile's Events go (From = the profile's schedulerName). */
  events: (schedulerName: string) => EventSink;
  queue?: SchedulingQueue;
  /** Random source for tie-breaking. */
  rng?: () => number;
  /** klog-style verbosity: ≥ 2 logs each binding and failure, ≥ 4 every decision with each plugin's verdict and score per node. */
  verbosity?: number;
  /** Write the decision record on the pod as an annotation. */
  decisionAnnotation?: boolean;
  /** Bindings in flight at once (the next cycles go on while they complete). */
  maxInFlightBinds?: number;
  /** Evict lower-priority pods for a pod that fits nowhere (default on). */
  preemption?: boolean;
}

/** A scheduler for one profile. */
export class Scheduler {
  readonly snapshot = new Snapshot();
  readonly queue: SchedulingQueue;
  readonly metrics: SchedulerMetrics;
  /** Pods chosen for a node whose binding the informer has not confirmed yet: key → node. */
  private readonly assumed = new Map<string, string>();
  private readonly binds = new Set<Promise<void>>();
  /** What PreBind plugins get: the snapshot and a metadata patch through our client. */
  private readonly preBindContext: PreBindContext = {
    snapshot: this.snapshot,
    patchMetadata: async (t, metadata) => { await this.opts.client.patch(t, 'merge', { metadata }); },
  };
  /** Unbound pods nominated to a node by preemption: node → key → pod. */
  private readonly nominated = new Map<string, Map<string, Pod>>();
  private readonly profiles = new Map<string, Framework>();
  private readonly sinks = new Map<string, EventSink>();
  private readonly verbosity: number;
  private readonly rng: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    for (const fw of opts.frameworks) {
      const name = fw.profile.schedulerName;
      if (this.profiles.has(name)) throw new Error(`duplicate scheduler profile ${JSON.stringify(name)}`);
      this.profiles.set(name, fw);
      this.sinks.set(name, opts.events(name));
    }
    this.queue = opts.queue ?? new SchedulingQueue();
    this.verbosity = opts.verbosity ?? 0;
    this.rng = opts.rng ?? Math.random;
    this.metrics = new SchedulerMetrics(this.queue);
  }

  /** The names pods put in `spec.schedulerName` to be scheduled by this scheduler (one per profile). */
  get schedulerNames(): string[] { return [...this.profiles.keys()]; }

  private profileOf(pod: Pod): string {
    return pod.spec.schedulerName || 'default-scheduler';
  }

  private events(pod: Pod): EventSink {
    return this.sinks.get(this.profileOf(pod)) ?? [...this.sinks.values()][0];
  }

  /** Informer handlers for pods (all pods: bound ones feed the snapshot, unbound ones the queue). */
  podHandlers(): EventHandlers<Pod> {
    return {
      onAdd: (pod) => this.onPod(undefined, pod),
      onUpdate: (old, pod) => this.onPod(old, pod),
      onDelete: (pod) => this.onPodDelete(pod),
    };
  }

  /** Informer handlers for nodes. */
  nodeHandlers(): EventHandlers<Node> {
    return {
      onAdd: (node) => { this.snapshot.upsertNode(node); this.queue.moveAllToActiveOrBackoff('NodeAdd'); },
      onUpdate: (old, node) => {
        this.snapshot.upsertNode(node);
        if (nodeChangeMayHelp(old, node)) this.queue.moveAllToActiveOrBackoff('NodeUpdate');
      },
      onDelete: (node) => this.snapshot.removeNode(node.metadata.name),
    };
  }

  /** Informer handlers for namespaces (labels for affinity terms with a namespaceSelector). */
  namespaceHandlers(): EventHandlers {
    const set = (ns: { metadata?: { name?: string; labels?: Record<string, string> } }) => this.snapshot.namespaceLabels.set(ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
    return { onAdd: set, onUpdate: (_o, ns) => set(ns), onDelete: (ns) => this.snapshot.namespaceLabels.delete(ns.metadata?.name ?? '') };
  }

  /** Informer handlers for PersistentVolumeClaims, PersistentVolumes or StorageClasses (VolumeBinding's inputs). */
  storageHandlers(kind: 'claims' | 'volumes' | 'classes'): EventHandlers {
    const map = this.snapshot.volumes[kind] as Map<string, KObject>;
    const key = (o: KObject) => (kind === 'claims' ? `${o.metadata?.namespace}/${o.metadata?.name}` : o.metadata?.name ?? '');
    const set = (o: KObject) => { map.set(key(o), o); this.queue.moveAllToActiveOrBackoff(`${kind}Change`); };
    return { onAdd: set, onUpdate: (_old, o) => set(o), onDelete: (o) => map.delete(key(o)) };
  }

  private responsible(pod: Pod): boolean {
    return this.profiles.has(this.profileOf(pod));
  }

  private setNominated(key: string, pod: Pod | null): void {
    for (const [node, pods] of this.nominated) if (pods.delete(key) && pods.size === 0) this.nominated.delete(node);
    const node = pod?.status?.nominatedNodeName;
    if (!pod || !node) return;
    if (!this.nominated.has(node)) this.nominated.set(node, new Map());
    this.nominated.get(node)!.set(key, pod);
  }

  /** Nominated pods on `nodeName` that outrank (or equal) `pod`, other than itself. */
  private nominatedFor(pod: Pod, nodeName: string): Pod[] {
    const pods = this.nominated.get(nodeName);
    if (!pods) return [];
    const key = podKey(pod);
    const prio = pod.spec.priority ?? 0;
    return [...pods.values()].filter((p) => podKey(p) !== key && (p.spec.priority ?? 0) >= prio);
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    this.setNominated(key, pod.spec.nodeName || pod.metadata.deletionTimestamp ? null : pod);
    if (pod.spec.nodeName) {
      const confirmed = this.assumed.delete(key);
      this.queue.delete(pod);
      this.snapshot.upsertPod(pod);
      // A newly placed pod may satisfy another pod's affinity or change a spread count.
      if (!confirmed && !old?.spec.nodeName) this.queue.moveAllToActiveOrBackoff('AssignedPodAdd');
      return;
    }
    if (isTerminated(pod) || pod.metadata.deletionTimestamp || !this.responsible(pod)) { this.queue.delete(pod); return; }
    if (this.assumed.has(key)) return;
    // Our own status/annotation writes come back as updates; only a changed spec or labels earns a retry.
    if (old && !podSpecChanged(old, pod)) { this.queue.refresh(pod); return; }
    // Pods with scheduling gates wait outside the queue until the gates are removed (a spec change).
    if ((pod.spec.schedulingGates as unknown[] | undefined)?.length) {
      this.queue.delete(pod);
      this.setUnscheduledCondition(pod, 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates');
      return;
    }
    this.queue.update(pod);
  }

  private onPodDelete(pod: Pod): void {
    const key = podKey(pod);
    this.setNominated(key, null);
    const wasPlaced = this.assumed.delete(key) || this.snapshot.nodeOf(key) !== undefined;
    this.snapshot.removePod(pod);
    this.queue.delete(pod);
    if (wasPlaced) this.queue.moveAllToActiveOrBackoff('AssignedPodDelete');
  }

  /** Schedules pods until `signal` aborts, then waits for bindings in flight. */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run(signal);
    for (;;) {
      const q = await this.queue.pop(signal);
      if (!q) break;
      try {
        await this.scheduleOne(q);
      } catch (err) {
        clientLog('error', 'scheduling cycle failed', { pod: q.key, error: (err as Error).message });
        this.queue.addUnschedulable(q, true);
      }
    }
    await this.drainBinds();
  }

  /** Waits until every binding started so far has finished. */
  async drainBinds(): Promise<void> {
    while (this.binds.size) await Promise.allSettled([...this.binds]);
  }

  /** One scheduling cycle for one popped pod. */
  async scheduleOne(q: QueuedPod): Promise<void> {
    const pod = q.pod;
    const fw = this.profiles.get(this.profileOf(pod));
    if (!fw) { this.queue.done(q.key); return; }
    const started = performance.now();
    const record = this.verbosity >= 4 || !!this.opts.decisionAnnotation;
    const nominatedPods = this.nominated.size ? (node: string) => this.nominatedFor(pod, node) : undefined;
    let r: ReturnType<typeof schedulePod>;
    try {
      r = schedulePod(fw, pod, this.snapshot, { rng: this.rng, record, recordAll: record, nominatedPods });
    } catch (err) {
      // Bad input in the pod itself (e.g. a malformed quantity): tell its owner, retry with backoff.
      this.fail(q, 'SchedulerError', (err as Error).message, true, started);
      return;
    }
    if (r.decision) this.logDecision(r.decision);
    if (r.error) { this.fail(q, 'SchedulerError', r.error, true, started, r.decision); return; }
    if (!r.nodeName) {
      let post = '';
      if (this.opts.preemption !== false) {
        const p = preempt(fw, pod, this.snapshot, r.diagnosis);
        this.metrics.preemption(p.candidate?.victims.length);
        if (p.candidate) await this.preemptFor(pod, p.candidate);
        post = p.message;
      }
      this.fail(q, 'Unschedulable', fitErrorMessage(this.snapshot.size, r.diagnosis, post), false, started, r.decision);
      return;
    }
    this.snapshot.upsertPod(pod, r.nodeName);
    this.assumed.set(q.key, r.nodeName);
    this.queue.done(q.key);
    const b = this.bind(q, fw, r.nodeName, started, r.decision).finally(() => this.binds.delete(b));
    this.binds.add(b);
    if (this.binds.size >= (this.opts.maxInFlightBinds ?? 64)) await Promise.race(this.binds);
  }

  private async bind(q: QueuedPod, fw: Framework, nodeName: string, started: number, decision?: Decision): Promise<void> {
    const { pod } = q;
    const ns = pod.metadata.namespace ?? 'default';
    try {
      if (this.opts.decisionAnnotation && decision) await this.annotate(pod, decision);
      for (const p of fw.preBinds) await p.preBind(pod, nodeName, this.preBindContext);
      await this.opts.client.bind(ns, pod.metadata.name, nodeName, { podUID: pod.metadata.uid });
      this.events(pod).event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod.metadata.name} to ${nodeName}`);
      this.metrics.attempt(this.profileOf(pod), 'scheduled', performance.now() - started);
      if (this.verbosity >= 2) clientLog('info', 'bound pod', { pod: q.key, node: nodeName });
    } catch (err) {
      if (this.assumed.get(q.key) === nodeName) { this.assumed.delete(q.key); this.snapshot.removePod(pod); }
      // Gone or already bound elsewhere: nothing to retry.
      if (isApiError(err, 'NotFound') || (isApiError(err, 'Conflict') && /already assigned/.test((err as Error).message))) return;
      this.fail(q, 'SchedulerError', `Binding rejected: ${(err as Error).message}`, true, started);
    }
  }

  private fail(q: QueuedPod, reason: 'Unschedulable' | 'SchedulerError', message: string, error: boolean, started: number, decision?: Decision): void {
    const { pod } = q;
    this.metrics.attempt(this.profileOf(pod), error ? 'error' : 'unschedulable', performance.now() - started);
    if (this.verbosity >= 2 || error) clientLog(error ? 'warn' : 'info', 'unable to schedule pod', { pod: q.key, reason, message });
    this.events(pod).event(pod, 'Warning', 'FailedScheduling', message);
    this.queue.addUnschedulable(q, error);
    this.setUnscheduledCondition(pod, reason, message);
    if (this.opts.decisionAnnotation && decision) this.annotate(pod, decision).catch(() => {});
  }

  /** Sets PodScheduled=False with a reason and message, unless the pod already says exactly that. */
  private setUnscheduledCondition(pod: Pod, reason: string, message: string): void {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled') as { status?: string; reason?: string; message?: string; lastTransitionTime?: string } | undefined;
    if (current?.status === 'False' && current.reason === reason && current.message === message) return;
    // The transition time moves only when the status does, as Kubernetes keeps it.
    const since = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: since };
    this.opts.client.patch({ resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, subresource: 'status' }, 'strategic', { status: { conditions: [condition] } })
      .catch((err) => clientLog('warn', 'could not set PodScheduled condition', { pod: podKey(pod), error: (err as Error).message }));
  }

  private async annotate(pod: Pod, decision: Decision): Promise<void> {
    await this.opts.client.patch({ resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name }, 'merge',
      { metadata: { annotations: { [DECISION_ANNOTATION]: JSON.stringify(decision) } } });
  }

  private async preemptFor(pod: Pod, c: PreemptionCandidate): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    for (const v of c.victims) {
      const vns = v.metadata.namespace ?? 'default';
      this.events(pod).event(v, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata.uid} on node ${c.nodeName}`);
      await this.opts.client.delete({ resource: 'pods', namespace: vns, name: v.metadata.name }, { preconditions: { uid: v.metadata.uid } })
        .catch((err) => { if (!isApiError(err, 'NotFound')) clientLog('warn', 'could not preempt pod', { pod: `${vns}/${v.metadata.name}`, error: (err as Error).message }); });
    }
    await this.opts.client.patch({ resource: 'pods', namespace: ns, name: pod.metadata.name, subresource: 'status' }, 'merge', { status: { nominatedNodeName: c.nodeName } })
      .catch((err) => clientLog('warn', 'could not nominate node', { pod: `${ns}/${pod.metadata.name}`, error: (err as Error).message }));
    clientLog('info', 'preempted pods', { pod: `${ns}/${pod.metadata.name}`, node: c.nodeName, victims: c.victims.map((v) => v.metadata.name) });
  }

  private logDecision(d: Decision): void {
    if (this.verbosity < 4) return;
    for (const line of decisionLines(d)) clientLog('info', line.msg, line.fields);
  }
}
