/**
 * Tables of the workload controllers as kubectl shows them (printers.go printDeployment,
 * printReplicaSet, printReplicationController, printStatefulSet, printDaemonSet, printJob,
 * printCronJob), with CONTAINERS / IMAGES / SELECTOR as the wide columns.
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob, PodTemplateSpec, LabelSelector, Condition } from '../../../lib/api/types.js';
import { formatLabels, selectorFromLabelSelector } from '../../../lib/labels/selector.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';
import { humanDuration, since } from './duration.js';

const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', 1);
const SELECTOR = column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1);

/** CONTAINERS and IMAGES cells of a pod template. */
function templateCells(t: PodTemplateSpec | undefined): [string, string] {
  const cs = t?.spec?.containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** The SELECTOR cell (metav1.FormatLabelSelector): the canonical string, `<none>` when empty, `<error>` when invalid. */
export function selectorCell(s: LabelSelector | undefined): string {
  if (!s) return '<none>';
  try {
    return selectorFromLabelSelector(s).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

const int = (n: number | undefined) => n ?? 0;

/** Deployment columns. */
export const DEPLOYMENT_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Ready', 'string', 'Number of the pod with ready state'),
  column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR,
];

/** One deployment row. */
export function deploymentRow(obj: KObject, now: Date): unknown[] {
  const d = obj as Deployment;
  const s = d.status ?? {};
  return [nameOf(obj), `${int(s.readyReplicas)}/${int(d.spec?.replicas)}`, int(s.updatedReplicas), int(s.availableReplicas), ageOf(obj, now), ...templateCells(d.spec?.template), selectorCell(d.spec?.selector)];
}

/** ReplicaSet / ReplicationController columns. */
export const REPLICASET_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Desired', 'integer', 'Number of desired pods.'),
  column('Current', 'integer', 'Number of actual replicas.'),
  column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR,
];

/** One replica set row. */
export function replicaSetRow(obj: KObject, now: Date): unknown[] {
  const rs = obj as ReplicaSet;
  return [nameOf(obj), int(rs.spec?.replicas), int(rs.status?.replicas), int(rs.status?.readyReplicas), ageOf(obj, now), ...templateCells(rs.spec?.template), selectorCell(rs.spec?.selector)];
}

/** One replication controller row (its selector is a plain map). */
export function replicationControllerRow(obj: KObject, now: Date): unknown[] {
  const rc = obj as ReplicationController;
  return [nameOf(obj), int(rc.spec?.replicas), int(rc.status?.replicas), int(rc.status?.readyReplicas), ageOf(obj, now), ...templateCells(rc.spec?.template), formatLabels(rc.spec?.selector)];
}

/** StatefulSet columns. */
export const STATEFULSET_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS, IMAGES];

/** One stateful set row. */
export function statefulSetRow(obj: KObject, now: Date): unknown[] {
  const s = obj as StatefulSet;
  return [nameOf(obj), `${int(s.status?.readyReplicas)}/${int(s.spec?.replicas)}`, ageOf(obj, now), ...templateCells(s.spec?.template)];
}

/** DaemonSet columns. */
export const DAEMONSET_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
  column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
  column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
  column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
  column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
  AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR,
];

/** One daemon set row. */
export function daemonSetRow(obj: KObject, now: Date): unknown[] {
  const d = obj as DaemonSet;
  const s = d.status ?? {};
  return [nameOf(obj), int(s.desiredNumberScheduled), int(s.currentNumberScheduled), int(s.numberReady), int(s.updatedNumberScheduled), int(s.numberAvailable),
    formatLabels(d.spec?.template?.spec?.nodeSelector), ageOf(obj, now), ...templateCells(d.spec?.template), selectorCell(d.spec?.selector)];
}

/** Job columns. */
export const JOB_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Status', 'string', 'Status of the job.'),
  column('Completions', 'string', 'The completion status of the job'),
  column('Duration', 'string', 'Time required to complete the job.'),
  AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR,
];

function hasCondition(conds: Condition[] | undefined, type: string): boolean {
  return (conds ?? []).some((c) => c.type === type && c.status === 'True');
}

/** The job STATUS cell. */
export function jobStatus(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** One job row. */
export function jobRow(obj: KObject, now: Date): unknown[] {
  const job = obj as Job;
  const succeeded = int(job.status?.succeeded);
  let completions: string;
  if (job.spec?.completions !== undefined && job.spec.completions !== null) completions = `${succeeded}/${job.spec.completions}`;
  else if (int(job.spec?.parallelism) > 1) completions = `${succeeded}/1 of ${job.spec!.parallelism}`;
  else completions = `${succeeded}/1`;
  const start = Date.parse(job.status?.startTime ?? '');
  const end = Date.parse(job.status?.completionTime ?? '');
  let duration = '';
  if (!Number.isNaN(start)) duration = humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
  return [nameOf(obj), jobStatus(job), completions, duration, ageOf(obj, now), ...templateCells(job.spec?.template), selectorCell(job.spec?.selector)];
}

/** CronJob columns. */
export const CRONJOB_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
  column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
  column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.'),
  column('Active', 'integer', 'A list of pointers to currently running jobs.'),
  column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
  AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR,
];

/** One cron job row. */
export function cronJobRow(obj: KObject, now: Date): unknown[] {
  const cj = obj as CronJob;
  const suspend = cj.spec?.suspend === undefined ? '<unset>' : cj.spec.suspend ? 'True' : 'False';
  const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
  const tmpl = cj.spec?.jobTemplate?.spec;
  return [nameOf(obj), cj.spec?.schedule ?? '', cj.spec?.timeZone || '<none>', suspend, (cj.status?.active ?? []).length, last, ageOf(obj, now),
    ...templateCells(tmpl?.template), selectorCell(tmpl?.selector)];
}
