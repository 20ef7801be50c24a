/** StatefulSets: defaults, validation (selector, template, claim templates), allowed updates, table. */
import type { KObject } from '../../../lib/api/object.js';
import type { StatefulSet, StatefulSetSpec } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { isDNS1123Label } from '../../../lib/labels/validation.js';
import { defaultPodTemplate } from '../common/pod-spec.js';
import { defaultPVCSpec, validatePVCSpec } from '../common/pvc.js';
import { forbidden, invalidIf, jsonEqual, notSupported, required } from '../common/field.js';
import { validateIntOrPercent, validateNonNegative, validateSelectorAndTemplate, validateTemplateRestartPolicy } from '../common/workload.js';
import { STATEFULSET_COLUMNS, statefulSetRow } from '../printers/workloads.js';

const POLICIES = ['OrderedReady', 'Parallel'];
const UPDATE_STRATEGIES = ['OnDelete', 'RollingUpdate'];
const RETENTION = ['Delete', 'Retain'];
/** Kubernetes' message for a forbidden StatefulSet spec change. */
export const STS_UPDATE_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

function defaults(obj: KObject): void {
  const spec = ((obj as StatefulSet).spec ??= {});
  spec.replicas ??= 1;
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ||= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  for (const t of spec.volumeClaimTemplates ?? []) defaultPVCSpec((t.spec ??= {}));
  defaultPodTemplate(spec.template);
}

function validate(obj: KObject): FieldError[] {
  const spec = (obj as StatefulSet).spec;
  if (!spec) return [required('spec')];
  // volumeMounts may name a volumeClaimTemplate: the controller adds that volume to each pod.
  const claimNames = new Set((spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name));
  const isClaimMount = (e: FieldError) => /^spec\.template\.spec\.(initContainers|containers)\[\d+\]\.volumeMounts\[\d+\]\.name$/.test(e.field)
    && e.message === 'not found' && claimNames.has(e.value as string);
  const errs = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec.selector, spec.template, 'spec', 'statefulset').filter((e) => !isClaimMount(e)),
    ...validateTemplateRestartPolicy(spec.template, 'spec', ['Always']),
    ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  ];
  if (spec.serviceName) errs.push(...invalidIf('spec.serviceName', spec.serviceName, isDNS1123Label(spec.serviceName)));
  if (spec.podManagementPolicy && !POLICIES.includes(spec.podManagementPolicy)) errs.push(notSupported('spec.podManagementPolicy', spec.podManagementPolicy, POLICIES));
  const us = spec.updateStrategy ?? {};
  if (us.type && !UPDATE_STRATEGIES.includes(us.type)) errs.push(notSupported('spec.updateStrategy.type', us.type, UPDATE_STRATEGIES));
  if (us.type === 'OnDelete' && us.rollingUpdate) errs.push(forbidden('spec.updateStrategy.rollingUpdate', "only allowed for updateStrategy 'RollingUpdate'"));
  if (us.rollingUpdate) {
    errs.push(...validateNonNegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
    errs.push(...validateIntOrPercent(us.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', true));
  }
  const rp = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    if (rp[k] && !RETENTION.includes(rp[k]!)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, rp[k], RETENTION));
  }
  (spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const p = `spec.volumeClaimTemplates[${i}]`;
    if (!t.metadata?.name) errs.push(required(`${p}.metadata.name`));
    errs.push(...validatePVCSpec(t.spec, `${p}.spec`));
  });
  return errs;
}

/** The spec without the fields an update may change. */
function frozen(spec: StatefulSetSpec | undefined): StatefulSetSpec {
  const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, revisionHistoryLimit: _h, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, ...rest } = spec ?? {};
  return rest;
}

/** StatefulSet behaviour. */
export const statefulSets: KindBehaviour = {
  defaults,
  validateCreate: validate,
  validateUpdate(obj, old) {
    const errs = validate(obj);
    if (!jsonEqual(frozen((obj as StatefulSet).spec), frozen((old as StatefulSet).spec))) errs.push(forbidden('spec', STS_UPDATE_FORBIDDEN));
    return errs;
  },
  tableColumns: STATEFULSET_COLUMNS,
  tableRow: statefulSetRow,
};
