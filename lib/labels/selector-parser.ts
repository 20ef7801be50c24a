/**
 * The label selector string grammar (a lexer and recursive-descent parser, as apimachinery's
 * labels.Parser) with Kubernetes' error wording.
 */
import { ApiError } from '../errors.js';
import { validateLabelKey } from './validation.js';
import { newRequirement, type Operator, type Requirement } from './requirement.js';

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

/** Parses a selector string into requirements (unsorted); throws ApiError BadRequest when invalid. */
export function parseRequirements(s: string): Requirement[] {
  return new Parser(lex(s ?? '')).parse();
}
