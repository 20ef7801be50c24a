/**
 * Job controller: runs pods until `completions` succeed (NonIndexed, or Indexed with one pod per
 * completion index), at most `parallelism` at a time; retries failed pods with exponential
 * backoff (10 s doubling, capped at 6 min) until `backoffLimit`; fails on `activeDeadlineSeconds`;
 * writes conditions Complete/Failed; deletes finished Jobs after `ttlSecondsAfterFinished`.
 */
import type { Job, Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { controllerRef, isPodReady, ownerRefFor, podFromTemplate } from '../pods.js';
import type { Recorder } from '../recorder.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import { Expectations } from '../expectations.js';

const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

export interface JobOptions { backoffBaseMs?: number; backoffMaxMs?: number }

function now(): string { return new Date().toISOString().replace(/\.\d+Z$/, 'Z'); }

/** True when the job has a Complete or Failed condition. */
export function jobFinished(j: Job): 'Complete' | 'Failed' | undefined {
  const c = (j.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** "0-2,4" for indexes {0,1,2,4} (Kubernetes' completedIndexes format). */
export function formatIndexes(indexes: number[]): string {
  const s = [...new Set(indexes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j;
  }
  return out.join(',');
}

/** The Job controller. */
export class JobController {
  readonly queue = new WorkQueue({ name: 'job' });
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  /** Pod creates issued but not yet seen in the cache: without them a stale cache double-creates (two pods for completions 1). */
  private readonly expectations = new Expectations();

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, private readonly o: JobOptions = {}) {
    this.jobs = informers.informerFor<Job>({ group: 'batch', resource: 'jobs' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.jobs.addEventHandler({ onAdd: (j) => this.queue.add(keyOf(j)), onUpdate: (_o, j) => this.queue.add(keyOf(j)), onDelete: (j) => this.expectations.delete(keyOf(j)) });
    const jobKey = (p: Pod) => { const ref = controllerRef(p); return ref?.kind === 'Job' ? `${p.metadata?.namespace}/${ref.name}` : undefined; };
    const podChanged = (p: Pod) => { const k = jobKey(p); if (k) this.queue.add(k); };
    const podAdded = (p: Pod) => { const k = jobKey(p); if (k) { this.expectations.creationObserved(k); this.queue.add(k); } };
    this.pods.addEventHandler({ onAdd: podAdded, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges one Job. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const job = this.jobs.lister.get(namespace, name);
    if (!job || job.metadata?.deletionTimestamp) return;
    if (jobFinished(job)) { await this.handleTTL(job); return; }
    // Pods this controller created are not all in the cache yet: their add events requeue the Job.
    if (!this.expectations.satisfied(key)) return;
    const pods = this.pods.lister.byIndex('ownerUID', job.metadata!.uid!);
    const active = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp);
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    const failed = Math.max(job.status?.failed ?? 0, pods.filter((p) => p.status?.phase === 'Failed').length);
    const indexed = job.spec?.completionMode === 'Indexed';
    const completions = job.spec?.completions;
    const parallelism = job.spec?.parallelism ?? 1;
    const doneIndexes = indexed ? [...new Set(succeededPods.map((p) => Number(p.metadata?.annotations?.[INDEX_ANNOTATION])))] : [];
    const succeeded = indexed ? doneIndexes.length : Math.max(job.status?.succeeded ?? 0, succeededPods.length);
    const status = { ...(job.status ?? {}), startTime: job.status?.startTime ?? now() } as NonNullable<Job['status']>;
    let finished: { type: 'Complete' | 'Failed'; reason?: string; message?: string } | undefined;

    const deadline = job.spec?.activeDeadlineSeconds;
    if (deadline !== undefined && Date.now() - Date.parse(status.startTime!) >= deadline * 1000) {
      finished = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    } else if (failed > (job.spec?.backoffLimit ?? 6)) {
      finished = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    } else if (completions !== undefined && completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0) {
      finished = { type: 'Complete' };
    }
    if (finished) {
      for (const p of active) await this.deletePod(p);
    } else if (!job.spec?.suspend) {
      await this.manageActive(job, active, failed, succeeded, indexed, doneIndexes, parallelism, completions);
    } else {
      for (const p of active) await this.deletePod(p);
    }
    status.active = finished ? 0 : active.length;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed;
    if (indexed) status.completedIndexes = formatIndexes(doneIndexes);
    if (finished) {
      const t = now();
      if (finished.type === 'Complete') status.completionTime = t;
      status.conditions = [...(status.conditions ?? []), { type: finished.type, status: 'True', lastProbeTime: t, lastTransitionTime: t, ...(finished.reason ? { reason: finished.reason, message: finished.message } : {}) }];
      if (finished.type === 'Complete') this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      else this.recorder.event(job, 'Warning', finished.reason!, finished.message!);
    }
    await this.writeStatus(job, status);
    if (!finished && deadline !== undefined) this.queue.addAfter(key, Math.max(0, Date.parse(status.startTime!) + deadline * 1000 - Date.now()) + 50);
  }

  private async manageActive(job: Job, active: Pod[], failed: number, succeeded: number, indexed: boolean, doneIndexes: number[], parallelism: number, completions: number | undefined): Promise<void> {
    const remaining = completions !== undefined && completions !== null ? completions - succeeded : (succeeded > 0 ? 0 : parallelism);
    const want = Math.min(parallelism, Math.max(0, remaining));
    if (active.length > want) {
      for (const p of active.slice(want)) await this.deletePod(p);
      return;
    }
    if (active.length >= want) return;
    // Back off after failures: the next pod only after base * 2^(failures-1).
    if (failed > 0) {
      const last = Math.max(0, ...this.pods.lister.byIndex('ownerUID', job.metadata!.uid!).filter((p) => p.status?.phase === 'Failed')
        .map((p) => Date.parse(p.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? p.metadata?.creationTimestamp ?? '') || 0));
      const delay = Math.min(this.o.backoffMaxMs ?? 360_000, (this.o.backoffBaseMs ?? 10_000) * 2 ** (failed - 1));
      const wait = last + delay - Date.now();
      if (wait > 0) { this.queue.addAfter(keyOf(job), wait); return; }
    }
    const busy = new Set(active.map((p) => Number(p.metadata?.annotations?.[INDEX_ANNOTATION])));
    const free = indexed ? Array.from({ length: completions ?? 1 }, (_, i) => i).filter((i) => !busy.has(i) && !doneIndexes.includes(i)) : [];
    const n = indexed ? Math.min(want - active.length, free.length) : want - active.length;
    this.expectations.expect(keyOf(job), n, 0);
    for (let i = 0; i < n; i++) {
      try {
        await this.createPod(job, indexed ? free[i] : undefined);
      } catch (err) {
        // The creates not made will never be observed.
        for (let k = i; k < n; k++) this.expectations.creationObserved(keyOf(job));
        throw err;
      }
    }
  }

  private async createPod(job: Job, index: number | undefined): Promise<void> {
    const base = index === undefined ? `${job.metadata!.name}-` : `${job.metadata!.name}-${index}-`;
    const pod = podFromTemplate(job.spec?.template, job.metadata!.namespace!, base, ownerRefFor(job, 'batch/v1', 'Job'));
    if (index !== undefined) {
      pod.metadata!.annotations = { ...pod.metadata!.annotations, [INDEX_ANNOTATION]: String(index) };
      pod.metadata!.labels = { ...pod.metadata!.labels, [INDEX_ANNOTATION]: String(index) };
      pod.spec!.hostname ??= `${job.metadata!.name}-${index}`;
      for (const c of pod.spec!.containers ?? []) c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', value: String(index) }];
    }
    try {
      const p = await this.client.create<Pod>({ resource: 'pods', namespace: job.metadata!.namespace! }, pod);
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name}`);
    } catch (err) {
      this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(p: Pod): Promise<void> {
    await this.client.delete({ resource: 'pods', namespace: p.metadata!.namespace!, name: p.metadata!.name! }).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }

  private async handleTTL(job: Job): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const cond = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const at = Date.parse(job.status?.completionTime ?? cond?.lastTransitionTime ?? '') + ttl * 1000;
    const wait = at - Date.now();
    if (wait > 0) { this.queue.addAfter(keyOf(job), wait); return; }
    await this.client.delete({ group: 'batch', resource: 'jobs', namespace: job.metadata!.namespace!, name: job.metadata!.name! }, { propagationPolicy: 'Background' })
      .catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }

  private async writeStatus(job: Job, status: NonNullable<Job['status']>): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(job.status)) return;
    const next = structuredClone(job);
    next.status = status;
    await this.client.updateStatus({ group: 'batch', resource: 'jobs', namespace: job.metadata!.namespace! }, next).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }
}
