/**
 * CronJob controller: creates a Job for each cron time (standard 5-field syntax and @hourly-style
 * macros via croner, in `timeZone` when set), named `<cronjob>-<minutes since epoch>` as Kubernetes
 * does; `concurrencyPolicy` Allow/Forbid/Replace, `suspend`, `startingDeadlineSeconds`, and history
 * limits for finished Jobs; requeues itself for the next time.
 */
import { Cron } from 'croner';
import type { CronJob, Job } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { controllerRef, ownerRefFor } from '../pods.js';
import type { Recorder } from '../recorder.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import { jobFinished } from './job.js';

const SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MAX_MISSED = 100;

export interface CronJobOptions { now?: () => Date }

function rfc3339(d: Date): string { return d.toISOString().replace(/\.\d+Z$/, 'Z'); }

/** The latest schedule time in (after, now], and how many were missed; throws on a bad schedule. */
export function mostRecentSchedule(schedule: string, timeZone: string | undefined, after: Date, now: Date): { time?: Date; missed: number } {
  const cron = new Cron(schedule.replace(/^TZ=\S+\s+/, ''), { paused: true, timezone: timeZone });
  let t = cron.nextRun(after);
  let last: Date | undefined;
  let missed = 0;
  while (t && t <= now) {
    last = t;
    missed++;
    if (missed > MAX_MISSED) break;
    t = cron.nextRun(t);
  }
  return { time: last, missed };
}

/** The next schedule time after `now`. */
export function nextSchedule(schedule: string, timeZone: string | undefined, now: Date): Date | undefined {
  return new Cron(schedule.replace(/^TZ=\S+\s+/, ''), { paused: true, timezone: timeZone }).nextRun(now) ?? undefined;
}

/** The CronJob controller. */
export class CronJobController {
  readonly queue = new WorkQueue({ name: 'cronjob' });
  private readonly cronJobs: SharedInformer<CronJob>;
  private readonly jobs: SharedInformer<Job>;
  private readonly now: () => Date;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, o: CronJobOptions = {}) {
    this.now = o.now ?? (() => new Date());
    this.cronJobs = informers.informerFor<CronJob>({ group: 'batch', resource: 'cronjobs' });
    this.jobs = informers.informerFor<Job>({ group: 'batch', resource: 'jobs' });
    this.cronJobs.addEventHandler({ onAdd: (c) => this.queue.add(keyOf(c)), onUpdate: (_o, c) => this.queue.add(keyOf(c)) });
    const jobChanged = (j: Job) => { const ref = controllerRef(j); if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata?.namespace}/${ref.name}`); };
    this.jobs.addEventHandler({ onAdd: jobChanged, onUpdate: (_o, j) => jobChanged(j), onDelete: jobChanged });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges one CronJob at the controller's current time. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cj = this.cronJobs.lister.get(namespace, name);
    if (!cj || cj.metadata?.deletionTimestamp) return;
    const now = this.now();
    const children = this.jobs.lister.byIndex('ownerUID', cj.metadata!.uid!);
    const active = children.filter((j) => !jobFinished(j) && !j.metadata?.deletionTimestamp);
    await this.cleanupHistory(cj, children);
    const status = {
      ...(cj.status ?? {}),
      active: active.length ? active.map((j) => ({ kind: 'Job', namespace: j.metadata!.namespace, name: j.metadata!.name, uid: j.metadata!.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata!.resourceVersion })) : undefined,
    } as NonNullable<CronJob['status']>;
    const succeeded = children.filter((j) => jobFinished(j) === 'Complete').map((j) => j.status?.completionTime).filter(Boolean).sort();
    if (succeeded.length) status.lastSuccessfulTime = succeeded[succeeded.length - 1];
    const schedule = cj.spec?.schedule ?? '';
    if (!cj.spec?.suspend) {
      const since = new Date(Date.parse(cj.status?.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now.getTime());
      let recent: { time?: Date; missed: number };
      try {
        recent = mostRecentSchedule(schedule, cj.spec?.timeZone, since, now);
      } catch (err) {
        this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${schedule} : ${(err as Error).message}`);
        return;
      }
      if (recent.missed > MAX_MISSED) this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      if (recent.time) await this.maybeStart(cj, recent.time, now, active, status);
    }
    await this.writeStatus(cj, status);
    const next = cj.spec?.suspend ? undefined : nextSchedule(schedule, cj.spec?.timeZone, now);
    if (next) this.queue.addAfter(key, Math.max(100, next.getTime() - now.getTime() + 100));
  }

  private async maybeStart(cj: CronJob, time: Date, now: Date, active: Job[], status: NonNullable<CronJob['status']>): Promise<void> {
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && now.getTime() - time.getTime() > deadline * 1000) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(time)}`);
      status.lastScheduleTime = rfc3339(time);
      return;
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return;
    }
    if (policy === 'Replace') {
      for (const j of active) {
        await this.client.delete({ group: 'batch', resource: 'jobs', namespace: j.metadata!.namespace!, name: j.metadata!.name! }, { propagationPolicy: 'Background' }).catch(() => undefined);
        this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata!.name}`);
      }
    }
    const jobName = `${cj.metadata!.name}-${Math.floor(time.getTime() / 60_000)}`;
    const tmpl = cj.spec?.jobTemplate ?? {};
    const job: Job = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name: jobName, namespace: cj.metadata!.namespace,
        labels: { ...(tmpl.metadata?.labels ?? {}) },
        annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_ANNOTATION]: rfc3339(time) },
        ownerReferences: [ownerRefFor(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(tmpl.spec ?? {}),
    };
    try {
      await this.client.create({ group: 'batch', resource: 'jobs', namespace: cj.metadata!.namespace! }, job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
    }
    status.lastScheduleTime = rfc3339(time);
  }

  private async cleanupHistory(cj: CronJob, children: Job[]): Promise<void> {
    const byStart = (a: Job, b: Job) => (a.status?.startTime ?? a.metadata?.creationTimestamp ?? '').localeCompare(b.status?.startTime ?? b.metadata?.creationTimestamp ?? '');
    const limits: [string, number][] = [['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3], ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1]];
    for (const [kind, limit] of limits) {
      const finished = children.filter((j) => jobFinished(j) === kind && !j.metadata?.deletionTimestamp).sort(byStart);
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        await this.client.delete({ group: 'batch', resource: 'jobs', namespace: j.metadata!.namespace!, name: j.metadata!.name! }, { propagationPolicy: 'Background' })
          .then(() => this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata!.name}`), (err) => { if (!isApiError(err, 'NotFound')) throw err; });
      }
    }
  }

  private async writeStatus(cj: CronJob, status: NonNullable<CronJob['status']>): Promise<void> {
    const clean = JSON.parse(JSON.stringify(status)) as NonNullable<CronJob['status']>;
    if (JSON.stringify(clean) === JSON.stringify(cj.status ?? {})) return;
    const next = structuredClone(cj);
    next.status = clean;
    await this.client.updateStatus({ group: 'batch', resource: 'cronjobs', namespace: cj.metadata!.namespace! }, next).catch((err) => { if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err; });
  }
}
