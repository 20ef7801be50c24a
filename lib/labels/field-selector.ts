/**
 * Field selectors as Kubernetes has them (apimachinery pkg/fields): `a=b`, `a==b`, `a!=b` terms
 * joined by commas (AND); `\,` `\=` `\!` `\\` escape those characters inside values.
 */
import { ApiError } from '../errors.js';

/** One term of a field selector. */
export interface FieldRequirement { field: string; operator: '=' | '!='; value: string }

/** A parsed field selector. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** True when the field values satisfy every term; a missing field counts as ''. */
  matches(fields: Record<string, string>): boolean;
  /** The value an equality term requires of `field`, if any (lets storage narrow a list). */
  requiresExactMatch(field: string): string | undefined;
  /** The distinct field names used (to check they are supported for the kind). */
  fields(): string[];
  empty(): boolean;
  toString(): string;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = fields[r.field] ?? '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }
  fields(): string[] { return [...new Set(this.requirements.map((r) => r.field))]; }
  empty(): boolean { return this.requirements.length === 0; }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

/** Escapes `\`, `,`, `=` and `!` in a field selector value (fields.EscapeValue). */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=!]/g, (c) => `\\${c}`);
}

/** Undoes escapeValue; throws on an escape of another character or a lone trailing backslash. */
function unescapeValue(s: string): string {
  if (!/[\\,=!]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      if (c === ',' || c === '=' || c === '!') throw new ApiError('BadRequest', `invalid field selector: unescaped character '${c}'`);
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === undefined) throw new ApiError('BadRequest', `invalid field selector: unterminated escape sequence in '${s}'`);
    if (!'\\,=!'.includes(n)) throw new ApiError('BadRequest', `invalid field selector: invalid escape sequence '\\${n}' in '${s}'`);
    out += n;
    i++;
  }
  return out;
}

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === ',') { terms.push(cur); cur = ''; continue; }
    cur += c;
  }
  terms.push(cur);
  return terms;
}

/** Finds the first operator in a term (checked at each position as !=, ==, =), skipping escapes. */
function splitTerm(term: string): [string, '=' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') { i++; continue; }
    if (term.startsWith('!=', i)) return [term.slice(0, i), '!=', term.slice(i + 2)];
    if (term.startsWith('==', i)) return [term.slice(0, i), '=', term.slice(i + 2)];
    if (term[i] === '=') return [term.slice(0, i), '=', term.slice(i + 1)];
  }
  return undefined;
}

/** Parses a field selector; throws ApiError BadRequest (Kubernetes' wording) when a term has no operator. */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  if ((s ?? '').trim() === '') return new TermsSelector([]);
  for (const part of splitTerms(s)) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new ApiError('BadRequest', `invalid selector: '${s}'; can't understand '${part}'`);
    const [field, operator, raw] = split;
    reqs.push({ field: field.trim(), operator, value: unescapeValue(raw) });
  }
  return new TermsSelector(reqs);
}

/** A selector from a set of field=value terms (fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return new TermsSelector(Object.entries(set).map(([field, value]) => ({ field, operator: '=' as const, value })));
}
