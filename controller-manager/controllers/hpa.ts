/**
 * HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation, as Kubernetes' podautoscaler:
 * every sync period it reads the target's `scale` subresource, the CPU usage of its ready pods
 * (a MetricsSource), computes desired = ceil(readyPods · utilisation / target) outside a 10 %
 * tolerance, stabilises scale-downs over a window (300 s default) and writes the new size back
 * through `scale`; status carries current/desired replicas, the metric and the conditions.
 */
import type { Condition, HorizontalPodAutoscaler, Pod, Scale } from '../../lib/api/types.js';
import type { ApiClient, ResourceTarget } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { clientLog } from '../../lib/client/log.js';
import { isApiError } from '../../lib/errors.js';
import { parseSelector } from '../../lib/labels/selector.js';
import { tryParseQuantity } from '../../lib/api/quantity.js';
import { isPodActive, isPodReady } from '../pods.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import type { Recorder } from '../recorder.js';
import type { MetricsSource } from './hpa-metrics.js';

/** Options of the HPA controller. */
export interface HpaOptions {
  /** How often each HPA is evaluated (--horizontal-pod-autoscaler-sync-period, default 15 s). */
  syncPeriodMs?: number;
  /** Scale-down stabilization window when the HPA sets none (default 300 s). */
  downscaleStabilizationMs?: number;
  /** Ratio tolerance (default 0.1). */
  tolerance?: number;
}

/** One pod as the algorithm sees it: CPU request and usage in millicores (usage undefined = no metric). */
export interface PodCpu { ready: boolean; requestMilli: number; usageMilli?: number }

/** The replica count the metric asks for (before min/max and stabilization), and the utilisation seen. */
export function desiredReplicas(current: number, pods: PodCpu[], targetUtilization: number, tolerance = 0.1): { desired: number; utilization: number } | undefined {
  const measured = pods.filter((p) => p.ready && p.usageMilli !== undefined);
  if (!measured.length) return undefined;
  const req = measured.reduce((n, p) => n + p.requestMilli, 0);
  const use = measured.reduce((n, p) => n + p.usageMilli!, 0);
  const utilization = Math.round((use / req) * 100);
  const ratio = use / req / (targetUtilization / 100);
  const missing = pods.filter((p) => !(p.ready && p.usageMilli !== undefined));
  if (!missing.length) {
    return { desired: Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(ratio * measured.length), utilization };
  }
  if (Math.abs(ratio - 1) <= tolerance) return { desired: current, utilization };
  // Pods without a metric: assume 0 % when growing (unready pods count only when shrinking), 100 % when shrinking.
  const extra = ratio > 1 ? missing.filter((p) => p.ready) : missing;
  const use2 = use + (ratio > 1 ? 0 : extra.reduce((n, p) => n + p.requestMilli, 0));
  const req2 = req + extra.reduce((n, p) => n + p.requestMilli, 0);
  const ratio2 = use2 / req2 / (targetUtilization / 100);
  if (Math.abs(ratio2 - 1) <= tolerance || (ratio > 1) !== (ratio2 > 1)) return { desired: current, utilization };
  return { desired: Math.ceil(ratio2 * (measured.length + extra.length)), utilization };
}

/** Kubernetes' stabilization: grow to the lowest, shrink to the highest recommendation in the windows. */
export function stabilize(history: Array<{ at: number; replicas: number }>, current: number, now: number, upWindowMs: number, downWindowMs: number): number {
  const up = history.filter((r) => now - r.at <= upWindowMs).map((r) => r.replicas);
  const down = history.filter((r) => now - r.at <= downWindowMs).map((r) => r.replicas);
  const upRec = up.length ? Math.min(...up) : current;
  const downRec = down.length ? Math.max(...down) : current;
  if (current < upRec) return upRec;
  if (current > downRec) return downRec;
  return current;
}

const TARGETS: Record<string, ResourceTarget> = {
  Deployment: { group: 'apps', resource: 'deployments' }, ReplicaSet: { group: 'apps', resource: 'replicasets' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' }, ReplicationController: { group: '', resource: 'replicationcontrollers' },
};

function cpuRequestMilli(p: Pod): number | undefined {
  let sum = 0;
  for (const c of p.spec?.containers ?? []) {
    const q = tryParseQuantity(c.resources?.requests?.cpu);
    if (!q) return undefined;
    sum += q.milli ?? 0;
  }
  return sum;
}

function cond(type: string, status: boolean, reason: string, message: string): Condition {
  return { type, status: status ? 'True' : 'False', reason, message };
}

/** The ScalingLimited condition for a wanted count clamped to `limited`. */
function limitCondition(wanted: number, limited: number, max: number): Condition {
  if (wanted === limited) return cond('ScalingLimited', false, 'DesiredWithinRange', 'the desired count is within the acceptable range');
  if (wanted < limited) return cond('ScalingLimited', true, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
  if (limited === max) return cond('ScalingLimited', true, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
  return cond('ScalingLimited', true, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate');
}

/** The HPA controller. */
export class HorizontalPodAutoscalerController {
  readonly queue = new WorkQueue({ name: 'horizontalpodautoscaler' });
  private readonly hpas: SharedInformer<HorizontalPodAutoscaler>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recommendations = new Map<string, Array<{ at: number; replicas: number }>>();
  private readonly periodMs: number;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, private readonly metrics: MetricsSource, private readonly o: HpaOptions = {}) {
    this.periodMs = o.syncPeriodMs ?? 15_000;
    this.hpas = informers.informerFor<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.hpas.addEventHandler({
      onAdd: (h) => this.queue.add(keyOf(h)),
      onUpdate: (o, h) => { if (o.metadata?.generation !== h.metadata?.generation) this.queue.add(keyOf(h)); },
      onDelete: (h) => this.recommendations.delete(keyOf(h)),
    });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k, signal), signal, (key, err) => clientLog('warn', 'hpa sync failed', { key, error: (err as Error).message }));
  }

  /** Evaluates one HPA and schedules the next evaluation. */
  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.hpas.lister.get(namespace, name);
    if (!hpa) return;
    try {
      await this.reconcile(hpa, signal);
    } finally {
      this.queue.addAfter(key, this.periodMs);
    }
  }

  private async reconcile(hpa: HorizontalPodAutoscaler, signal?: AbortSignal): Promise<void> {
    const ref = hpa.spec?.scaleTargetRef;
    const target = TARGETS[ref?.kind ?? ''];
    if (!target || !ref?.name) return this.writeStatus(hpa, undefined, undefined, [cond('AbleToScale', false, 'FailedGetScale', `the HPA controller cannot scale ${ref?.kind}`)]);
    const scaleRef = { ...target, namespace: hpa.metadata!.namespace!, name: ref.name, subresource: 'scale' };
    let scale: Scale;
    try {
      scale = await this.client.get<Scale>(scaleRef);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      return this.writeStatus(hpa, undefined, undefined, [cond('AbleToScale', false, 'FailedGetScale', (err as Error).message)]);
    }
    const current = scale.spec?.replicas ?? 0;
    const able = cond('AbleToScale', true, 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
    if (current === 0) return this.writeStatus(hpa, scale, undefined, [able, cond('ScalingActive', false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero')]);
    const metric = (hpa.spec?.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization');
    const targetUtil = metric?.resource?.target?.averageUtilization;
    if (!targetUtil) return this.writeStatus(hpa, scale, undefined, [able, cond('ScalingActive', false, 'InvalidMetricSourceType', 'kubesim scales on cpu Utilization metrics only')]);
    const cpu = await this.podCpu(hpa, scale, signal);
    const rec = typeof cpu === 'string' ? undefined : desiredReplicas(current, cpu, targetUtil, this.o.tolerance ?? 0.1);
    if (typeof cpu === 'string' || !rec) {
      const why = typeof cpu === 'string' ? cpu : 'unable to get metrics for resource cpu: no metrics returned from resource metrics API';
      return this.writeStatus(hpa, scale, undefined, [able, cond('ScalingActive', false, 'FailedGetResourceMetric', `failed to get cpu utilization: ${why}`)]);
    }
    const max = hpa.spec?.maxReplicas ?? current;
    // As Kubernetes without behavior: within [min, max], and at most double (or 4) per step when growing.
    const limited = Math.min(max, Math.max(hpa.spec?.minReplicas ?? 1, Math.min(rec.desired, Math.max(2 * current, 4))));
    const desired = this.stabilized(hpa, current, limited);
    const conditions = [able, cond('ScalingActive', true, 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)'), limitCondition(rec.desired, limited, max)];
    let scaledAt: string | undefined;
    if (desired !== current) {
      await this.client.update<Scale>(scaleRef, { ...scale, spec: { replicas: desired } });
      scaledAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const why = desired > current ? 'above' : 'below';
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: cpu resource utilization (percentage of request) ${why} target`);
      clientLog('info', 'rescaled', { hpa: keyOf(hpa), from: current, to: desired, utilization: rec.utilization });
    }
    await this.writeStatus(hpa, scale, { desired, utilization: rec.utilization, usageMilli: avg(cpu), scaledAt }, conditions);
  }

  /** The target's active pods with their CPU request and usage, or why they cannot be measured. */
  private async podCpu(hpa: HorizontalPodAutoscaler, scale: Scale, signal?: AbortSignal): Promise<PodCpu[] | string> {
    const pods = this.pods.lister.list(parseSelector(scale.status?.selector ?? ''), hpa.metadata!.namespace!).filter(isPodActive);
    const usage = await this.metrics.podCpuMilli(pods.filter((p) => p.status?.phase === 'Running'), signal);
    const out: PodCpu[] = [];
    for (const p of pods) {
      const requestMilli = cpuRequestMilli(p);
      if (!requestMilli) return `missing request for cpu in pod ${p.metadata?.name}`;
      out.push({ ready: isPodReady(p), requestMilli, usageMilli: usage.get(keyOf(p)) });
    }
    return out;
  }

  /** Records the recommendation and returns the stabilized replica count. */
  private stabilized(hpa: HorizontalPodAutoscaler, current: number, recommendation: number): number {
    const now = Date.now();
    const hist = [...(this.recommendations.get(keyOf(hpa)) ?? []), { at: now, replicas: recommendation }];
    const downS = hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds;
    const downMs = downS !== undefined && downS !== null ? downS * 1000 : (this.o.downscaleStabilizationMs ?? 300_000);
    const upMs = (hpa.spec?.behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
    this.recommendations.set(keyOf(hpa), hist.filter((r) => now - r.at <= Math.max(downMs, upMs)));
    return stabilize(hist, current, now, upMs, downMs);
  }

  private async writeStatus(hpa: HorizontalPodAutoscaler, scale: Scale | undefined, m: { desired: number; utilization: number; usageMilli: number; scaledAt?: string } | undefined, conditions: Condition[]): Promise<void> {
    const next = structuredClone(hpa);
    const prev = hpa.status ?? {};
    const current = scale?.spec?.replicas ?? prev.currentReplicas ?? 0;
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    next.status = {
      ...prev,
      observedGeneration: hpa.metadata?.generation,
      currentReplicas: current,
      desiredReplicas: m?.desired ?? current,
      currentMetrics: m ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: m.utilization, averageValue: `${Math.round(m.usageMilli)}m` } } }] : prev.currentMetrics,
      conditions: conditions.map((c) => {
        const old = prev.conditions?.find((o) => o.type === c.type);
        return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : t };
      }),
      ...(m?.scaledAt ? { lastScaleTime: m.scaledAt } : {}),
    };
    await this.client.updateStatus({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace: hpa.metadata!.namespace! }, next).catch((err) => {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    });
  }
}

function avg(pods: PodCpu[]): number {
  const m = pods.filter((p) => p.usageMilli !== undefined);
  return m.length ? m.reduce((n, p) => n + p.usageMilli!, 0) / m.length : 0;
}
