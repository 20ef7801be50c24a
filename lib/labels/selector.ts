/**
 * Label selectors as Kubernetes has them (apimachinery pkg/labels): a parser for the string form
 * (`a=b,c!=d,e in (x,y),!f`), conversion from the API's LabelSelector, and matching.
 */
import { ApiError } from '../errors.js';
import { validateLabelKey, validateLabelValue } from './validation.js';

/** Operators of one requirement (selection.Operator). */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement: key, operator and values (sorted). */
export interface Requirement { key: string; operator: Operator; values: string[] }

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

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
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

function sortRequirements(rs: Requirement[]): Requirement[] {
  return rs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Wraps already-built requirements (sorted by key) in a Selector. */
export function selectorFromRequirements(rs: Requirement[]): Selector {
  return new InternalSelector(sortRequirements([...rs]));
}

// ---- string parser (lexer + recursive descent, as apimachinery's labels.Parser) ----

type Tok = 'id' | 'eos' | 'err' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';
interface Token { t: Tok; lit: string }

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS: [string, Tok][] = [['!=', '!='], ['==', '=='], ['!', '!'], ['(', '('], [')', ')'], [',', ','], ['=', '='], ['>', '>'], ['<', '<']];

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (SPECIAL.has(ch)) {
      const sym = SYMBOLS.find(([text]) => s.startsWith(text, i))!;
      out.push({ t: sym[1], lit: sym[0] });
      i += sym[0].length;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]) && !SPECIAL.has(s[j])) j++;
    const lit = s.slice(i, j);
    out.push({ t: lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit });
    i = j;
  }
  out.push({ t: 'eos', lit: '' });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  /** In "values" context the words in/notin are plain identifiers (keys or values may be named so). */
  private peek(values = true): Token {
    const tok = this.toks[this.pos];
    if (values && (tok.t === 'in' || tok.t === 'notin')) return { t: 'id', lit: tok.lit };
    return tok;
  }
  private next(values = true): Token {
    const tok = this.peek(values);
    if (this.pos < this.toks.length - 1) this.pos++;
    return tok;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'eos') return reqs;
      if (tok.t !== 'id' && tok.t !== '!') throw bad(`found '${tok.lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirement());
      const sep = this.next();
      if (sep.t === 'eos') return reqs;
      if (sep.t !== ',') throw bad(`found '${sep.lit}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.t !== 'id' && after.t !== '!') throw bad(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    const { key, op } = this.keyAndInferredOperator();
    if (op === 'exists' || op === '!') return checked(key, op, []);
    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : [this.exactValue()];
    return checked(key, operator, values);
  }

  private keyAndInferredOperator(): { key: string; op?: Operator } {
    let tok = this.next();
    let op: Operator | undefined;
    if (tok.t === '!') { op = '!'; tok = this.next(); }
    if (tok.t !== 'id') throw req(`found '${tok.lit}', expected: identifier`);
    const errs = validateLabelKey(tok.lit);
    if (errs.length) throw req(`key: Invalid value: ${JSON.stringify(tok.lit)}: ${errs.join('; ')}`);
    const after = this.peek();
    if ((after.t === 'eos' || after.t === ',') && op !== '!') op = 'exists';
    return { key: tok.lit, op };
  }

  private operator(): Operator {
    const tok = this.next(false);
    switch (tok.t) {
      case 'in': return 'in';
      case 'notin': return 'notin';
      case '=': return '=';
      case '==': return '==';
      case '!=': return '!=';
      case '>': return 'gt';
      case '<': return 'lt';
      default:
        if (tok.lit === '') throw req(`found '', expected: ${BINARY_OPERATORS}`);
        throw req(`invalid operator '${tok.lit}' , expected: ${BINARY_OPERATORS}`);
    }
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.t !== '(') throw req(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.t === ')') { this.next(); return []; }
    if (first.t !== 'id' && first.t !== ',') throw req(`found '${first.lit}', expected: ',', ')' or identifiers`);
    // A comma-separated list in which an empty slot means the empty value: (a,,b) = {a, "", b}.
    const values: string[] = [];
    for (;;) {
      let tok = this.next();
      let value = '';
      if (tok.t === 'id') { value = tok.lit; tok = this.next(); }
      values.push(value);
      if (tok.t === ')') return values;
      if (tok.t !== ',') throw req(`found '${tok.lit}', expected: ',' or ')'`);
      if (this.peek().t === ')') { this.next(); values.push(''); return values; }
    }
  }

  private exactValue(): string {
    const tok = this.peek();
    if (tok.t === 'eos' || tok.t === ',') return '';
    this.next();
    if (tok.t === 'id') return tok.lit;
    throw req(`found '${tok.lit}', expected: identifier`);
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function bad(msg: string): ApiError { return new ApiError('BadRequest', msg); }
function req(msg: string): ApiError { return bad(`unable to parse requirement: ${msg}`); }

function checked(key: string, op: Operator, values: string[]): Requirement {
  const r = newRequirement(key, op, values);
  if (typeof r === 'string') throw req(r);
  return r;
}

/** Parses a label selector string; throws ApiError BadRequest with Kubernetes' wording when invalid. */
export function parseSelector(s: string): Selector {
  const reqs = new Parser(lex(s ?? '')).parse();
  return new InternalSelector(sortRequirements(reqs));
}

/** A selector requiring every key=value of the map (labels.SelectorFromSet); values are not validated. */
export function selectorFromSet(set?: Record<string, string> | null): Selector {
  const reqs = Object.entries(set ?? {}).map(([key, v]): Requirement => ({ key, operator: '=', values: [v] }));
  return new InternalSelector(sortRequirements(reqs));
}

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
