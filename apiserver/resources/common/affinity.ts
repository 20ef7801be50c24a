/**
 * Scheduling constraints of a PodSpec, validated as Kubernetes does (validateAffinity,
 * validateTopologySpreadConstraints) so the scheduler never sees an operator or weight it
 * cannot evaluate.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { Affinity, NodeSelectorTerm, NodeSelectorRequirement, PodAffinity, PodAffinityTerm, TopologySpreadConstraint } from '../../../lib/api/types.js';
import { isDNS1123Label, isQualifiedName } from '../../../lib/labels/validation.js';
import { duplicate, forbidden, invalidIf, invalidValue, notSupported, required } from './field.js';
import { validateLabelSelector } from './label-selector.js';

const NODE_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
const UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];

function validateNodeRequirement(r: NodeSelectorRequirement, path: string): FieldError[] {
  const errs = invalidIf(`${path}.key`, r.key ?? '', isQualifiedName(r.key ?? ''));
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': case 'NotIn':
      if (!values.length) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!/^-?\d+$/.test(values[0])) errs.push(invalidValue(`${path}.values[0]`, values[0], 'must be an integer'));
      break;
    default:
      errs.push(invalidValue(`${path}.operator`, r.operator ?? '', 'not a valid selector operator'));
  }
  return errs;
}

function validateFieldRequirement(r: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (r.key !== 'metadata.name') errs.push(invalidValue(`${path}.key`, r.key ?? '', 'not a valid field selector key'));
  if (r.operator !== 'In' && r.operator !== 'NotIn') errs.push(invalidValue(`${path}.operator`, r.operator ?? '', 'not a valid selector operator'));
  else if ((r.values ?? []).length !== 1) errs.push(required(`${path}.values`, 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
  return errs;
}

/** Validates one NodeSelectorTerm at `path`. */
export function validateNodeSelectorTerm(t: NodeSelectorTerm, path: string): FieldError[] {
  return [
    ...(t.matchExpressions ?? []).flatMap((r, i) => validateNodeRequirement(r, `${path}.matchExpressions[${i}]`)),
    ...(t.matchFields ?? []).flatMap((r, i) => validateFieldRequirement(r, `${path}.matchFields[${i}]`)),
  ];
}

function validateWeight(w: number | undefined, path: string): FieldError[] {
  return w !== undefined && Number.isInteger(w) && w >= 1 && w <= 100 ? [] : [invalidValue(path, w ?? 0, 'must be in the range 1-100')];
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  const errs = [...validateLabelSelector(t.labelSelector, `${path}.labelSelector`), ...validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`)];
  (t.namespaces ?? []).forEach((ns, i) => errs.push(...invalidIf(`${path}.namespaces[${i}]`, ns, isDNS1123Label(ns))));
  if (!t.topologyKey) errs.push(required(`${path}.topologyKey`, 'can not be empty'));
  else errs.push(...invalidIf(`${path}.topologyKey`, t.topologyKey, isQualifiedName(t.topologyKey)));
  return errs;
}

function validatePodAffinity(a: PodAffinity | undefined, path: string): FieldError[] {
  if (!a) return [];
  return [
    ...(a.requiredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((t, i) => validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    ...(a.preferredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((w, i) => {
      const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      return [...validateWeight(w.weight, `${p}.weight`), ...validatePodAffinityTerm(w.podAffinityTerm ?? {}, `${p}.podAffinityTerm`)];
    }),
  ];
}

/** Validates spec.affinity at `path`. */
export function validateAffinity(a: Affinity | undefined, path: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  const req = na?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    const p = `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    if (!req.nodeSelectorTerms?.length) errs.push(required(`${p}.nodeSelectorTerms`, 'must have at least one node selector term'));
    (req.nodeSelectorTerms ?? []).forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${p}.nodeSelectorTerms[${i}]`)));
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((pt, i) => {
    const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...validateWeight(pt.weight, `${p}.weight`), ...validateNodeSelectorTerm(pt.preference ?? {}, `${p}.preference`));
  });
  errs.push(...validatePodAffinity(a.podAffinity, `${path}.podAffinity`), ...validatePodAffinity(a.podAntiAffinity, `${path}.podAntiAffinity`));
  return errs;
}

/** Validates spec.topologySpreadConstraints at `path`. */
export function validateTopologySpread(cs: TopologySpreadConstraint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (cs ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!(c.maxSkew !== undefined && c.maxSkew > 0)) errs.push(invalidValue(`${p}.maxSkew`, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    else errs.push(...invalidIf(`${p}.topologyKey`, c.topologyKey, isQualifiedName(c.topologyKey)));
    if (!c.whenUnsatisfiable || !UNSATISFIABLE.includes(c.whenUnsatisfiable)) errs.push(notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable ?? '', UNSATISFIABLE));
    if (c.minDomains !== undefined) {
      if (!(c.minDomains > 0)) errs.push(invalidValue(`${p}.minDomains`, c.minDomains, 'must be greater than zero'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalidValue(`${p}.minDomains`, c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway'));
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
    const key = `{${c.topologyKey}, ${c.whenUnsatisfiable}}`;
    if (seen.has(key)) errs.push(duplicate(p, key));
    seen.add(key);
  });
  return errs;
}
