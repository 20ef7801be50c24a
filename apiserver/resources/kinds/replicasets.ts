/**
 * ReplicaSets (apps/v1) and ReplicationControllers (core/v1): replicas default, selector and
 * template rules (an RC's selector and labels default to its template's labels), tables.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { ReplicaSet, ReplicationController } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { selectorFromSet } from '../../../lib/labels/selector.js';
import { defaultPodTemplate, validatePodTemplate } from '../common/pod-spec.js';
import { invalidValue, required } from '../common/field.js';
import { validateLabels } from '../common/meta.js';
import { SELECTOR_MISMATCH, validateNonNegative, validateSelectorAndTemplate, validateTemplateRestartPolicy } from '../common/workload.js';
import { REPLICASET_COLUMNS, replicaSetRow, replicationControllerRow } from '../printers/workloads.js';
import { immutableSelector } from './deployments.js';

function validateReplicaSet(obj: KObject): FieldError[] {
  const spec = (obj as ReplicaSet).spec;
  if (!spec) return [required('spec')];
  return [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    // Kubernetes words the ReplicaSet error with "deployment" too.
    ...validateSelectorAndTemplate(spec.selector, spec.template, 'spec', 'deployment'),
    ...validateTemplateRestartPolicy(spec.template, 'spec', ['Always']),
  ];
}

/** ReplicaSet behaviour. */
export const replicaSets: KindBehaviour = {
  defaults(obj) {
    const spec = ((obj as ReplicaSet).spec ??= {});
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  validateCreate: validateReplicaSet,
  validateUpdate: (obj, old) => [...validateReplicaSet(obj), ...immutableSelector(obj, old)],
  fieldValues: (obj) => ({ 'status.replicas': String((obj as ReplicaSet).status?.replicas ?? 0) }),
  tableColumns: REPLICASET_COLUMNS,
  tableRow: replicaSetRow,
};

function defaultRC(obj: KObject): void {
  const rc = obj as ReplicationController;
  const spec = (rc.spec ??= {});
  spec.replicas ??= 1;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = (rc.metadata ??= {});
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  defaultPodTemplate(spec.template);
}

function validateRC(obj: KObject): FieldError[] {
  const spec = (obj as ReplicationController).spec;
  if (!spec) return [required('spec')];
  const errs = [...validateNonNegative(spec.replicas, 'spec.replicas'), ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  if (!spec.template) return [...errs, required('spec.template')];
  const labels = spec.template.metadata?.labels ?? {};
  if (Object.keys(selector).length && !selectorFromSet(selector).matches(labels)) errs.push(invalidValue('spec.template.metadata.labels', labels, SELECTOR_MISMATCH));
  errs.push(...validatePodTemplate(spec.template, 'spec.template'), ...validateTemplateRestartPolicy(spec.template, 'spec', ['Always']));
  return errs;
}

/** ReplicationController behaviour. */
export const replicationControllers: KindBehaviour = {
  defaults: defaultRC,
  validateCreate: validateRC,
  validateUpdate: validateRC,
  fieldValues: (obj) => ({ 'status.replicas': String((obj as ReplicationController).status?.replicas ?? 0) }),
  tableColumns: REPLICASET_COLUMNS,
  tableRow: replicationControllerRow,
};
