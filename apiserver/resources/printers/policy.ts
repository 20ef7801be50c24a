/** Tables of policy kinds as kubectl shows them: resource quotas, PDBs, priority classes, HPAs. */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { ResourceQuota, PriorityClass, HorizontalPodAutoscaler, MetricSpec, MetricStatus } from '../../../lib/api/types.js';
import { canonicalQuantity } from '../../../lib/api/quantity.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';

/** ResourceQuota columns. */
export const QUOTA_COLUMNS: TableColumn[] = [
  NAME_COLUMN, AGE_COLUMN,
  column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
  column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
];

/** One quota row: `name: used/hard` pairs, `limits.*` in LIMIT, sorted by resource name. */
export function quotaRow(obj: KObject, now: Date): unknown[] {
  const q = obj as ResourceQuota;
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const cell = `${name}: ${canonicalQuantity(used[name] ?? '0')}/${canonicalQuantity(hard[name])}`;
    (name.split('.').length > 1 && name.startsWith('limits.') ? limit : request).push(cell);
  }
  return [nameOf(obj), ageOf(obj, now), request.join(', '), limit.join(', ')];
}

/** PodDisruptionBudget columns. */
export const PDB_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Min Available', 'string', 'The minimum number of pods that must be available.'),
  column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
  column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
  AGE_COLUMN,
];

/** One PDB row. */
export function pdbRow(obj: KObject, now: Date): unknown[] {
  const spec = (obj.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
  const status = (obj.status ?? {}) as { disruptionsAllowed?: number };
  return [nameOf(obj), spec.minAvailable === undefined ? 'N/A' : String(spec.minAvailable), spec.maxUnavailable === undefined ? 'N/A' : String(spec.maxUnavailable), status.disruptionsAllowed ?? 0, ageOf(obj, now)];
}

/** PriorityClass columns. */
export const PRIORITY_CLASS_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Value', 'integer', 'The value of this priority class.'),
  column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority.'),
  AGE_COLUMN,
  column('PreemptionPolicy', 'string', 'PreemptionPolicy is the Policy for preempting pods with lower priority.'),
];

/** One priority class row. */
export function priorityClassRow(obj: KObject, now: Date): unknown[] {
  const pc = obj as PriorityClass;
  return [nameOf(obj), pc.value ?? 0, pc.globalDefault ?? false, ageOf(obj, now), pc.preemptionPolicy ?? ''];
}

/** HorizontalPodAutoscaler columns. */
export const HPA_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
  column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
  column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
  column('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
  column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
  AGE_COLUMN,
];

const q = (s: string | undefined) => (s === undefined ? '<unknown>' : canonicalQuantity(s));

function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const cur = spec.type === 'Resource' ? status?.resource?.current : status?.containerResource?.current;
      const name = src?.name ?? '';
      if (src?.target?.averageValue !== undefined) return `${name}: ${cur?.averageValue !== undefined ? q(cur.averageValue) : '<unknown>'}/${q(src.target.averageValue)}`;
      const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>';
      const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
      return `${name}: ${current}/${target}`;
    }
    case 'Pods':
      return `${status?.pods?.current?.averageValue !== undefined ? q(status.pods.current.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
    case 'Object':
    case 'External': {
      const target = spec.type === 'Object' ? spec.object?.target : spec.external?.target;
      const cur = spec.type === 'Object' ? status?.object?.current : status?.external?.current;
      if (target?.averageValue !== undefined) return `${cur?.averageValue !== undefined ? q(cur.averageValue) : '<unknown>'}/${q(target.averageValue)} (avg)`;
      return `${cur?.value !== undefined ? q(cur.value) : '<unknown>'}/${q(target?.value)}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The TARGETS cell: at most two metrics, then ` + N more...` (formatHPAMetrics). */
export function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs?.length) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses?.[i]));
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

/** One HPA row. */
export function hpaRow(obj: KObject, now: Date): unknown[] {
  const h = obj as HorizontalPodAutoscaler;
  const spec = h.spec ?? {};
  const ref = `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`;
  return [nameOf(obj), ref, formatHPAMetrics(spec.metrics, h.status?.currentMetrics), spec.minReplicas === undefined ? '<unset>' : String(spec.minReplicas), String(spec.maxReplicas ?? 0), h.status?.currentReplicas ?? 0, ageOf(obj, now)];
}
