/**
 * Jobs and CronJobs: defaults, validation (restart policy, schedule, time zone), the generated
 * Job selector (controller-uid labels) and immutable Job template, tables, field selectors.
 */
import { Cron } from 'croner';
import type { KObject } from '../../../lib/api/object.js';
import type { Job, JobSpec, CronJob } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { defaultPodTemplate, validatePodTemplate } from '../common/pod-spec.js';
import { invalidValue, jsonEqual, notSupported, required, FIELD_IMMUTABLE } from '../common/field.js';
import { maxLenError } from '../../../lib/labels/validation.js';
import { validateNonNegative, validateSelectorAndTemplate, validateTemplateRestartPolicy } from '../common/workload.js';
import { CRONJOB_COLUMNS, cronJobRow, JOB_COLUMNS, jobRow } from '../printers/workloads.js';

const COMPLETION_MODES = ['Indexed', 'NonIndexed'];
const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];
/** Labels the API server puts on a Job's pods (new and legacy names). */
export const JOB_UID_LABELS = ['batch.kubernetes.io/controller-uid', 'controller-uid'];
export const JOB_NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

/** Fills JobSpec defaults in place. */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultPodTemplate(spec.template);
}

/** Labels the template and selects on the Job's uid, unless the user manages the selector (Kubernetes' generateSelector). */
function generateSelector(job: Job): void {
  const spec = job.spec;
  const uid = job.metadata?.uid;
  if (!spec?.template || !uid || spec.manualSelector === true) return;
  const meta = (spec.template.metadata ??= {});
  const labels = (meta.labels ??= {});
  for (const k of JOB_NAME_LABELS) labels[k] ??= job.metadata?.name ?? '';
  for (const k of JOB_UID_LABELS) labels[k] ??= uid;
  const sel = (spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  ml[JOB_UID_LABELS[0]] ??= uid;
}

/** Validates a JobSpec at `path`; `withSelector` = a Job (a CronJob's template has no selector yet). */
export function validateJobSpec(spec: JobSpec | undefined, path: string, withSelector: boolean): FieldError[] {
  if (!spec) return [required(path)];
  const errs = [
    ...validateNonNegative(spec.parallelism, `${path}.parallelism`),
    ...validateNonNegative(spec.completions, `${path}.completions`),
    ...validateNonNegative(spec.backoffLimit, `${path}.backoffLimit`),
    ...validateNonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
  ];
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds > 0)) errs.push(invalidValue(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  if (spec.completionMode && !COMPLETION_MODES.includes(spec.completionMode)) errs.push(notSupported(`${path}.completionMode`, spec.completionMode, COMPLETION_MODES));
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  if (withSelector) errs.push(...validateSelectorAndTemplate(spec.selector, spec.template, path, 'job'));
  else errs.push(...validatePodTemplate(spec.template, `${path}.template`));
  errs.push(...validateTemplateRestartPolicy(spec.template, path, ['OnFailure', 'Never']));
  return errs;
}

function validateJobUpdate(obj: KObject, old: KObject): FieldError[] {
  const spec = (obj as Job).spec ?? {};
  const before = (old as Job).spec ?? {};
  const errs = validateJobSpec(spec, 'spec', true);
  if (!jsonEqual(spec.selector, before.selector)) errs.push(invalidValue('spec.selector', spec.selector, FIELD_IMMUTABLE));
  if (!jsonEqual(spec.template, before.template)) errs.push(invalidValue('spec.template', spec.template, FIELD_IMMUTABLE));
  if (spec.completions !== before.completions) errs.push(invalidValue('spec.completions', spec.completions, FIELD_IMMUTABLE));
  if (spec.completionMode !== before.completionMode) errs.push(invalidValue('spec.completionMode', spec.completionMode, FIELD_IMMUTABLE));
  return errs;
}

/** Job behaviour. */
export const jobs: KindBehaviour = {
  defaults: (obj) => defaultJobSpec(((obj as Job).spec ??= {})),
  // As in Kubernetes, the selector is generated during validation: only then is the uid known.
  validateCreate(obj) {
    generateSelector(obj as Job);
    return validateJobSpec((obj as Job).spec, 'spec', true);
  },
  validateUpdate: validateJobUpdate,
  fieldValues: (obj) => ({ 'status.successful': String((obj as Job).status?.succeeded ?? 0) }),
  tableColumns: JOB_COLUMNS,
  tableRow: jobRow,
};

/** Checks a cron schedule as Kubernetes' parser would (5 fields or an @descriptor); returns an error message. */
export function scheduleError(schedule: string): string | undefined {
  if (/(^|\s)(CRON_)?TZ=/.test(schedule)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  const fields = schedule.trim().split(/\s+/);
  if (!schedule.trim().startsWith('@') && fields.length !== 5) return `expected exactly 5 fields, found ${schedule.trim() ? fields.length : 0}: ${schedule}`;
  if (/^@every\s+\S+$/.test(schedule.trim())) return undefined;
  try {
    new Cron(schedule, { paused: true }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function timeZoneValid(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function validateCronJob(obj: KObject): FieldError[] {
  const cj = obj as CronJob;
  const spec = cj.spec;
  const errs: FieldError[] = [];
  // Job names get an 11-character suffix, so the CronJob name must leave room for it.
  const name = cj.metadata?.name ?? '';
  if (name.length > 52) errs.push(invalidValue('metadata.name', name, maxLenError(52)));
  if (!spec) return [...errs, required('spec')];
  if (!spec.schedule) errs.push(required('spec.schedule'));
  else {
    const e = scheduleError(spec.schedule);
    if (e) errs.push(invalidValue('spec.schedule', spec.schedule, e));
  }
  if (spec.timeZone !== undefined && !timeZoneValid(spec.timeZone)) errs.push(invalidValue('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`));
  if (spec.concurrencyPolicy && !CONCURRENCY.includes(spec.concurrencyPolicy)) errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY));
  errs.push(...validateNonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...validateNonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  errs.push(...validateJobSpec(spec.jobTemplate?.spec, 'spec.jobTemplate.spec', false));
  return errs;
}

/** CronJob behaviour. */
export const cronJobs: KindBehaviour = {
  defaults(obj) {
    const spec = ((obj as CronJob).spec ??= {});
    spec.concurrencyPolicy ||= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const jt = (spec.jobTemplate ??= {});
    defaultJobSpec((jt.spec ??= {}));
  },
  validateCreate: validateCronJob,
  validateUpdate: validateCronJob,
  tableColumns: CRONJOB_COLUMNS,
  tableRow: cronJobRow,
};
