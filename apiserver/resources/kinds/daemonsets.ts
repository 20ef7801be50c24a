/** DaemonSets: defaults (RollingUpdate maxUnavailable 1), validation, immutable selector, table. */
import type { KObject } from '../../../lib/api/object.js';
import type { DaemonSet } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { defaultPodTemplate } from '../common/pod-spec.js';
import { notSupported, required } from '../common/field.js';
import { validateNonNegative, validateRollingUpdate, validateSelectorAndTemplate, validateTemplateRestartPolicy } from '../common/workload.js';
import { DAEMONSET_COLUMNS, daemonSetRow } from '../printers/workloads.js';
import { immutableSelector } from './deployments.js';

const UPDATE_STRATEGIES = ['OnDelete', 'RollingUpdate'];

function defaults(obj: KObject): void {
  const spec = ((obj as DaemonSet).spec ??= {});
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ||= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

function validate(obj: KObject): FieldError[] {
  const spec = (obj as DaemonSet).spec;
  if (!spec) return [required('spec')];
  const errs = [
    ...validateSelectorAndTemplate(spec.selector, spec.template, 'spec', 'daemonset'),
    ...validateTemplateRestartPolicy(spec.template, 'spec', ['Always']),
    ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
  ];
  const us = spec.updateStrategy ?? {};
  if (us.type && !UPDATE_STRATEGIES.includes(us.type)) errs.push(notSupported('spec.updateStrategy.type', us.type, UPDATE_STRATEGIES));
  errs.push(...validateRollingUpdate(us.rollingUpdate, 'spec.updateStrategy.rollingUpdate', true));
  return errs;
}

/** DaemonSet behaviour. */
export const daemonSets: KindBehaviour = {
  defaults,
  validateCreate: validate,
  validateUpdate: (obj, old) => [...validate(obj), ...immutableSelector(obj, old)],
  tableColumns: DAEMONSET_COLUMNS,
  tableRow: daemonSetRow,
};
