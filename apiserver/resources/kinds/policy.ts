/**
 * Policy kinds: ResourceQuotas, LimitRanges, PodDisruptionBudgets, PriorityClasses and
 * HorizontalPodAutoscalers: defaults, validation with Kubernetes' wording, tables.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { ResourceQuota, LimitRange, PriorityClass, HorizontalPodAutoscaler, LabelSelector } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { tryParseQuantity, compareQuantities, QUANTITY_FORMAT_ERROR } from '../../../lib/api/quantity.js';
import { forbidden, invalidValue, notSupported, required } from '../common/field.js';
import { validateIntOrPercent } from '../common/workload.js';
import { validateLabelSelector } from '../common/label-selector.js';
import { QUOTA_COLUMNS, quotaRow, PDB_COLUMNS, pdbRow, PRIORITY_CLASS_COLUMNS, priorityClassRow, HPA_COLUMNS, hpaRow } from '../printers/policy.js';

const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'];
const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const PREEMPTION = ['Never', 'PreemptLowerPriority'];
/** Highest priority a user-defined PriorityClass may have. */
export const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-cluster-critical': 2_000_000_000, 'system-node-critical': 2_000_001_000 };

/** Validates a map of quantities at `path` (e.g. `spec.hard`): each parses and is non-negative. */
export function validateQuantityMap(m: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(m ?? {})) {
    const q = tryParseQuantity(v);
    if (!q) errs.push(invalidValue(`${path}[${k}]`, v, QUANTITY_FORMAT_ERROR));
    else if (q.num < 0n) errs.push(invalidValue(`${path}[${k}]`, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateQuota(obj: KObject): FieldError[] {
  const spec = (obj as ResourceQuota).spec ?? {};
  const errs = validateQuantityMap(spec.hard, 'spec.hard');
  (spec.scopes ?? []).forEach((s, i) => { if (!QUOTA_SCOPES.includes(s)) errs.push(notSupported(`spec.scopes[${i}]`, s, QUOTA_SCOPES)); });
  return errs;
}

/** ResourceQuota behaviour. */
export const resourceQuotas: KindBehaviour = { validateCreate: validateQuota, validateUpdate: validateQuota, tableColumns: QUOTA_COLUMNS, tableRow: quotaRow };

function validateLimitRange(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  ((obj as LimitRange).spec?.limits ?? []).forEach((item, i) => {
    const p = `spec.limits[${i}]`;
    if (!item.type) errs.push(required(`${p}.type`));
    else if (!LIMIT_TYPES.includes(item.type)) errs.push(notSupported(`${p}.type`, item.type, LIMIT_TYPES));
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) errs.push(...validateQuantityMap(item[k], `${p}.${k}`));
    for (const [res, minRaw] of Object.entries(item.min ?? {})) {
      const min = tryParseQuantity(minRaw);
      const max = tryParseQuantity(item.max?.[res]);
      if (min && max && compareQuantities(min, max) > 0) errs.push(invalidValue(`${p}.min[${res}]`, minRaw, `min value ${minRaw} is greater than max value ${item.max![res]}`));
    }
  });
  return errs;
}

/** LimitRange behaviour (default NAME / CREATED AT table, as Kubernetes). */
export const limitRanges: KindBehaviour = { validateCreate: validateLimitRange, validateUpdate: validateLimitRange };

interface PDBSpec { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelector }

function validatePDB(obj: KObject): FieldError[] {
  const spec = (obj.spec ?? {}) as PDBSpec;
  const errs = [...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable', true), ...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', true), ...validateLabelSelector(spec.selector, 'spec.selector')];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) errs.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  return errs;
}

/** PodDisruptionBudget behaviour. */
export const podDisruptionBudgets: KindBehaviour = { validateCreate: validatePDB, validateUpdate: validatePDB, tableColumns: PDB_COLUMNS, tableRow: pdbRow };

function validatePriorityClass(obj: KObject): FieldError[] {
  const pc = obj as PriorityClass;
  const name = pc.metadata?.name ?? '';
  const errs: FieldError[] = [];
  if (name.startsWith('system-')) {
    if (!(name in SYSTEM_CLASSES)) errs.push(invalidValue('metadata.name', name, "priority class names with 'system-' prefix are reserved"));
    else if (pc.value !== SYSTEM_CLASSES[name]) errs.push(invalidValue('value', pc.value, `value of ${name} must be ${SYSTEM_CLASSES[name]}`));
  } else if ((pc.value ?? 0) > HIGHEST_USER_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (pc.preemptionPolicy && !PREEMPTION.includes(pc.preemptionPolicy)) errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION));
  return errs;
}

/** PriorityClass behaviour. */
export const priorityClasses: KindBehaviour = {
  defaults: (obj) => { (obj as PriorityClass).preemptionPolicy ??= 'PreemptLowerPriority'; },
  validateCreate: validatePriorityClass,
  validateUpdate(obj, old) {
    const errs = validatePriorityClass(obj);
    if ((obj as PriorityClass).value !== (old as PriorityClass).value) errs.push(forbidden('value', 'may not be changed in an update.'));
    if ((obj as PriorityClass).preemptionPolicy !== (old as PriorityClass).preemptionPolicy) errs.push(invalidValue('preemptionPolicy', (obj as PriorityClass).preemptionPolicy, 'field is immutable'));
    return errs;
  },
  tableColumns: PRIORITY_CLASS_COLUMNS,
  tableRow: priorityClassRow,
};

function validateHPA(obj: KObject): FieldError[] {
  const spec = (obj as HorizontalPodAutoscaler).spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  if (!spec.scaleTargetRef?.kind) errs.push(required('spec.scaleTargetRef.kind'));
  if (!spec.scaleTargetRef?.name) errs.push(required('spec.scaleTargetRef.name'));
  const min = spec.minReplicas ?? 1;
  if (min < 1) errs.push(invalidValue('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (!(spec.maxReplicas !== undefined && spec.maxReplicas >= 1)) errs.push(invalidValue('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.maxReplicas < min) errs.push(invalidValue('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (spec.metrics ?? []).forEach((m, i) => {
    const p = `spec.metrics[${i}]`;
    if (!m.type) errs.push(required(`${p}.type`, `must specify a metric source type`));
    else if (!METRIC_TYPES.includes(m.type)) errs.push(notSupported(`${p}.type`, m.type, METRIC_TYPES));
    const util = m.resource?.target?.averageUtilization;
    if (util !== undefined && util <= 0) errs.push(invalidValue(`${p}.resource.target.averageUtilization`, util, 'must be greater than 0'));
    if (m.type === 'Resource' && !m.resource?.name) errs.push(required(`${p}.resource.name`, 'must specify a resource name'));
  });
  return errs;
}

/** HorizontalPodAutoscaler behaviour: minReplicas 1 and a CPU 80% target by default, as autoscaling/v2. */
export const horizontalPodAutoscalers: KindBehaviour = {
  defaults(obj) {
    const spec = ((obj as HorizontalPodAutoscaler).spec ??= {});
    spec.minReplicas ??= 1;
    if (!spec.metrics?.length) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  },
  validateCreate: validateHPA,
  validateUpdate: validateHPA,
  tableColumns: HPA_COLUMNS,
  tableRow: hpaRow,
};
