/**
 * Label selectors as Kubernetes has them (apimachinery pkg/labels): a parser for the string form
 * (`a=b,c!=d,e in (x,y),!f`), conversion from the API's LabelSelector, and matching.
 */
import { ApiError } from '../errors.js';
import { newRequirement, requirementMatches, requirementString, type Operator, type Requirement } from './requirement.js';
import { parseRequirements } from './selector-parser.js';

export { newRequirement, requirementMatches, requirementString, type Operator, type Requirement } from './requirement.js';
export { validateLabelKey, validateLabelValue } from './validation.js';

/** A parsed label selector. */
export interface Selector {
  readonly requirements: readonly Requirement[];
  /** True when the labels satisfy every requirement. */
  matches(labels?: Record<string, string> | null): boolean;
  /** True when the selector has no requirements (matches everything). */
  empty(): boolean;
  /** The canonical string form (requirements sorted by key). */
  toString(): string;
}

/** The API's metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key?: string; operator?: string; values?: string[] | null }[] | null;
}

class InternalSelector implements Selector {
  constructor(readonly requirements: readonly Requirement[]) {}
  matches(labels?: Record<string, string> | null): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }
  empty(): boolean { return this.requirements.length === 0; }
  toString(): string { return this.requirements.map(requirementString).join(','); }
}

class NothingSelector implements Selector {
  readonly requirements: readonly Requirement[] = [];
  matches(): boolean { return false; }
  empty(): boolean { return false; }
  toString(): string { return ''; }
}

/** A selector that matches every object. */
export function everything(): Selector { return new InternalSelector([]); }

/** A selector that matches no object (what a nil LabelSelector means). */
export function nothing(): Selector { return new NothingSelector(); }

function sortRequirements(rs: Requirement[]): Requirement[] {
  return rs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Wraps already-built requirements (sorted by key) in a Selector. */
export function selectorFromRequirements(rs: Requirement[]): Selector {
  return new InternalSelector(sortRequirements([...rs]));
}

/** Parses a label selector string; throws ApiError BadRequest with Kubernetes' wording when invalid. */
export function parseSelector(s: string): Selector {
  return new InternalSelector(sortRequirements(parseRequirements(s)));
}

/** A selector requiring every key=value of the map (labels.SelectorFromSet); values are not validated. */
export function selectorFromSet(set?: Record<string, string> | null): Selector {
  const reqs = Object.entries(set ?? {}).map(([key, v]): Requirement => ({ key, operator: '=', values: [v] }));
  return new InternalSelector(sortRequirements(reqs));
}

function bad(msg: string): ApiError { return new ApiError('BadRequest', msg); }

const API_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Converts an API LabelSelector (metav1.LabelSelectorAsSelector): null/undefined matches nothing,
 * {} matches everything. Throws ApiError BadRequest for an invalid expression.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls == null) return nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(checkedPlain(k, '=', [v]));
  for (const e of ls.matchExpressions ?? []) {
    const op = Object.hasOwn(API_OPERATORS, e.operator ?? '') ? API_OPERATORS[e.operator!] : undefined;
    if (!op) throw bad(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(checkedPlain(e.key ?? '', op, e.values ?? []));
  }
  return new InternalSelector(sortRequirements(reqs));
}

function checkedPlain(key: string, op: Operator, values: string[]): Requirement {
  const r = newRequirement(key, op, values);
  if (typeof r === 'string') throw bad(r);
  return r;
}

/** Formats a label map as kubectl does (`a=b,c=d`, sorted by key; `<none>` when empty). */
export function formatLabels(labels?: Record<string, string> | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
