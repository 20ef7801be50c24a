/**
 * Validation shared by the workload controllers: the selector-matches-template rule, replica
 * counts, int-or-percent values, rolling updates and the template restart policy.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { LabelSelector, PodTemplateSpec } from '../../../lib/api/types.js';
import { selectorFromLabelSelector } from '../../../lib/labels/selector.js';
import { forbidden, invalidValue, notSupported, required } from './field.js';
import { validateLabelSelector } from './label-selector.js';
import { validatePodTemplate } from './pod-spec.js';

/** Kubernetes' message when a selector does not select its own template. */
export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** True when the selector has no requirements at all. */
export function emptySelector(s: LabelSelector | undefined): boolean {
  return !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
}

/**
 * The apps/v1 rules: selector required and non-empty, valid, and matching the template's labels.
 * `path` is the spec path (`spec`, or `spec.jobTemplate.spec`).
 */
export function validateSelectorAndTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string, kindWord: string): FieldError[] {
  const errs: FieldError[] = [];
  if (selector == null) errs.push(required(`${path}.selector`));
  else {
    errs.push(...validateLabelSelector(selector, `${path}.selector`));
    if (emptySelector(selector)) errs.push(invalidValue(`${path}.selector`, selector, `empty selector is invalid for ${kindWord}`));
  }
  if (template == null) return [...errs, required(`${path}.template`)];
  if (selector != null && errs.length === 0) {
    const labels = template.metadata?.labels ?? {};
    let matches = false;
    try { matches = selectorFromLabelSelector(selector).matches(labels); } catch { /* reported above */ }
    if (!matches) errs.push(invalidValue(`${path}.template.metadata.labels`, labels, SELECTOR_MISMATCH));
  }
  errs.push(...validatePodTemplate(template, `${path}.template`));
  return errs;
}

/**
 * Template restartPolicy must be one of `allowed` (Always for long-running controllers, whose
 * pods also may not have an activeDeadlineSeconds).
 */
export function validateTemplateRestartPolicy(template: PodTemplateSpec | undefined, path: string, allowed: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const rp = template?.spec?.restartPolicy;
  if (rp !== undefined && !allowed.includes(rp)) errs.push(notSupported(`${path}.template.spec.restartPolicy`, rp, allowed));
  if (allowed.length === 1 && allowed[0] === 'Always' && template?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(`${path}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** A non-negative integer field (replicas, revisionHistoryLimit, ...). */
export function validateNonNegative(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return [invalidValue(path, v, 'must be greater than or equal to 0')];
  return [];
}

/** An int-or-percent value (`maxSurge: 1` or `'25%'`); `percentMax100` rejects more than 100%. */
export function validateIntOrPercent(v: unknown, path: string, percentMax100 = false): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return validateNonNegative(v, path);
  if (typeof v !== 'string' || !/^[0-9]+%$/.test(v)) {
    return [invalidValue(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  }
  if (percentMax100 && parseInt(v, 10) > 100) return [invalidValue(path, v, 'must not be greater than 100%')];
  return [];
}

/** True when an int-or-percent is zero (`0` or `'0%'`). */
export function isZeroIntOrPercent(v: unknown): boolean {
  return v === 0 || v === '0%';
}

/** maxUnavailable/maxSurge of a rolling update: int-or-percent, and not both zero. */
export function validateRollingUpdate(ru: { maxUnavailable?: number | string; maxSurge?: number | string } | undefined, path: string, surgeMax100: boolean): FieldError[] {
  if (!ru) return [];
  const errs = [...validateIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`, true), ...validateIntOrPercent(ru.maxSurge, `${path}.maxSurge`, surgeMax100)];
  if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge ?? 0)) errs.push(invalidValue(`${path}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  return errs;
}
