/**
 * One label selector requirement (apimachinery labels.Requirement): its operators, validation
 * with Kubernetes' wording, matching and string form.
 */
import { validateLabelKey, validateLabelValue } from './validation.js';

/** Operators of one requirement (selection.Operator). */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement: key, operator and values (sorted). */
export interface Requirement { key: string; operator: Operator; values: string[] }

/** True when `labels` satisfy the requirement. */
export function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has && r.values.includes(labels[r.key]);
    case 'notin': case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[-+]?[0-9]+$/.test(labels[r.key])) return false;
      const lv = Number(labels[r.key]);
      const rv = Number(r.values[0]);
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** The string form of one requirement, as Requirement.String() in Kubernetes. */
export function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': return `${r.key} in (${r.values.join(',')})`;
    case 'notin': return `${r.key} notin (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0]}`;
    case 'lt': return `${r.key}<${r.values[0]}`;
    default: return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/**
 * Builds and checks one requirement as Kubernetes' NewRequirement; returns an error message
 * (in field.Error form) or the requirement.
 */
export function newRequirement(key: string, operator: Operator, values: string[]): Requirement | string {
  const keyErrs = validateLabelKey(key);
  if (keyErrs.length) return `key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`;
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) return `values: Invalid value: [${values.join(' ')}]: exactly one value is required`;
      break;
    case 'exists': case '!':
      if (values.length !== 0) return `values: Invalid value: [${values.join(' ')}]: values set must be empty for exists and does not exist`;
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) return `values: Invalid value: [${values.join(' ')}]: for 'Gt', 'Lt' operators, exactly one value is required`;
      if (!/^[-+]?[0-9]+$/.test(values[0])) return `values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`;
      break;
  }
  if (operator !== 'gt' && operator !== 'lt') {
    for (let i = 0; i < values.length; i++) {
      const errs = validateLabelValue(values[i]);
      if (errs.length) return `values[${i}]: Invalid value: ${JSON.stringify(values[i])}: ${errs.join('; ')}`;
    }
  }
  return { key, operator, values: [...new Set(values)].sort() };
}
