/** Deployments: defaults (replicas, RollingUpdate 25%/25%, history, progress deadline), validation, table. */
import type { KObject } from '../../../lib/api/object.js';
import type { Deployment } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { defaultPodTemplate } from '../common/pod-spec.js';
import { forbidden, invalidValue, jsonEqual, notSupported, required, FIELD_IMMUTABLE } from '../common/field.js';
import { validateNonNegative, validateRollingUpdate, validateSelectorAndTemplate, validateTemplateRestartPolicy } from '../common/workload.js';
import { DEPLOYMENT_COLUMNS, deploymentRow } from '../printers/workloads.js';

const STRATEGIES = ['Recreate', 'RollingUpdate'];

function defaults(obj: KObject): void {
  const spec = ((obj as Deployment).spec ??= {});
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function validate(obj: KObject): FieldError[] {
  const spec = (obj as Deployment).spec;
  if (!spec) return [required('spec')];
  const errs = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec.selector, spec.template, 'spec', 'deployment'),
    ...validateTemplateRestartPolicy(spec.template, 'spec', ['Always']),
    ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  ];
  const st = spec.strategy ?? {};
  if (!st.type) errs.push(required('spec.strategy.type'));
  else if (!STRATEGIES.includes(st.type)) errs.push(notSupported('spec.strategy.type', st.type, STRATEGIES));
  if (st.type === 'Recreate' && st.rollingUpdate) errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  errs.push(...validateRollingUpdate(st.rollingUpdate, 'spec.strategy.rollingUpdate', false));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...validateNonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) errs.push(invalidValue('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** apps/v1 selectors never change after creation. */
export function immutableSelector(obj: KObject, old: KObject): FieldError[] {
  const sel = (obj.spec as { selector?: unknown } | undefined)?.selector;
  const before = (old.spec as { selector?: unknown } | undefined)?.selector;
  return jsonEqual(sel, before) ? [] : [invalidValue('spec.selector', sel, FIELD_IMMUTABLE)];
}

/** Deployment behaviour. */
export const deployments: KindBehaviour = {
  defaults,
  validateCreate: validate,
  validateUpdate: (obj, old) => [...validate(obj), ...immutableSelector(obj, old)],
  tableColumns: DEPLOYMENT_COLUMNS,
  tableRow: deploymentRow,
};
