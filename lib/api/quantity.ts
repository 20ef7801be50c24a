/**
 * Kubernetes resource quantities (apimachinery resource.Quantity): `100m`, `1Gi`, `1e3`, `0.5`.
 * Values are kept as exact rationals (BigInt) so comparisons and canonical formatting match
 * Kubernetes; `value`/`milli` are the rounded-up numbers callers usually want.
 */
import { ApiError } from '../errors.js';

/** The regular expression Kubernetes quotes when a quantity is malformed. */
export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Kubernetes' message for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX}'`;

/** How a quantity was written; formatting keeps the family (as Kubernetes' Format). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: exact value num/den, plus convenient rounded numbers. */
export interface Quantity {
  /** Value in base units rounded up to an integer (as Quantity.Value()). */
  value: number;
  /** Value in thousandths rounded up (as Quantity.MilliValue()): `100m` → 100, `1` → 1000. */
  milli: number;
  /** Exact numerator and (positive) denominator. */
  num: bigint;
  den: bigint;
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const NUMBER_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
// Bounds that keep BigInt arithmetic cheap on hostile input; far beyond any real quantity (1E = 1e18).
const MAX_DIGITS = 64;
const MAX_EXPONENT = 64;
const NUMERIC_ERROR = 'unable to parse numeric part of quantity';

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a || a < 0n ? q : q + 1n;
}

function build(num: bigint, den: bigint, format: QuantityFormat): Quantity {
  return { num, den, format, value: Number(ceilDiv(num, den)), milli: Number(ceilDiv(num * 1000n, den)) };
}

// The same few quantities ("100m", "64Mi") are parsed on every pod write: remember the parses.
const parsedCache = new Map<string, Quantity>();
const PARSED_CACHE_MAX = 2048;

/** Parses a quantity; throws ApiError BadRequest with Kubernetes' message when malformed. */
export function parseQuantity(s: string): Quantity {
  const hit = typeof s === 'string' ? parsedCache.get(s) : undefined;
  if (hit) return { ...hit };
  const q = parseUncached(s);
  if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.delete(parsedCache.keys().next().value as string);
  parsedCache.set(s, q);
  return { ...q };
}

function parseUncached(s: string): Quantity {
  const bad = (msg = QUANTITY_FORMAT_ERROR) => new ApiError('BadRequest', msg);
  if (typeof s !== 'string' || s.length === 0) throw bad();
  const m = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(s);
  if (!m) throw bad();
  const n = NUMBER_RE.exec(m[1]);
  if (!n || (n[2] === '' && (n[3] ?? '') === '')) throw bad();
  const sign = n[1] === '-' ? -1n : 1n;
  const frac = n[3] ?? '';
  if (n[2].length + frac.length > MAX_DIGITS) throw bad(NUMERIC_ERROR);
  let num = sign * BigInt((n[2] || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  const suffix = m[2];
  let format: QuantityFormat;
  let exp10 = 0;
  if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    num *= 2n ** BigInt(BINARY_SUFFIXES[suffix]);
  } else if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIXES[suffix];
  } else {
    const e = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (!e) throw bad("unable to parse quantity's suffix");
    format = 'DecimalExponent';
    exp10 = Number(e[1]);
    if (!(Math.abs(exp10) <= MAX_EXPONENT)) throw bad(NUMERIC_ERROR);
  }
  if (exp10 > 0) num *= 10n ** BigInt(exp10);
  else if (exp10 < 0) den *= 10n ** BigInt(-exp10);
  return build(num, den, format);
}

/** Parses a quantity, or returns undefined when it is malformed. */
export function tryParseQuantity(s: unknown): Quantity | undefined {
  if (typeof s === 'number' && Number.isFinite(s)) s = String(s);
  if (typeof s !== 'string') return undefined;
  try { return parseQuantity(s); } catch { return undefined; }
}

/** Compares two quantities exactly: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Sum of quantities (format of the first). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return build(a.num * b.den + b.num * a.den, a.den * b.den, a.format);
}

/** A quantity from a number of milli-units (e.g. 250 → `250m`). */
export function quantityFromMilli(milli: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return build(BigInt(Math.round(milli)), 1000n, format);
}

/** A quantity from an integer value in base units. */
export function quantityFromValue(value: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return build(BigInt(Math.round(value)), 1n, format);
}

function formatDecimal(q: Quantity, exponent: boolean): string {
  // Kubernetes keeps at most nano precision, rounding up.
  const neg = q.num < 0n;
  const abs = neg ? -q.num : q.num;
  const nanos = ceilDiv(abs * 1_000_000_000n, q.den);
  if (nanos === 0n) return '0';
  let e = -9;
  let mant = nanos;
  while (e < 18 && mant % 1000n === 0n) { mant /= 1000n; e += 3; }
  const sign = neg ? '-' : '';
  if (exponent) return e === 0 ? `${sign}${mant}` : `${sign}${mant}e${e}`;
  const suffix = Object.keys(DECIMAL_SUFFIXES).find((k) => DECIMAL_SUFFIXES[k] === e)!;
  return `${sign}${mant}${suffix}`;
}

/** The canonical string of a quantity, as Kubernetes serializes it (`1000m` → `1`, `1024Mi` → `1Gi`, `0.5` → `500m`). */
export function formatQuantity(q: Quantity): string {
  if (q.format === 'BinarySI' && q.num % q.den === 0n) {
    const v = q.num / q.den;
    const abs = v < 0n ? -v : v;
    // Small binary values print as plain decimals, as Kubernetes' CanonicalizeBytes does.
    if (abs >= 1024n) {
      let k = 0;
      let mant = v;
      while (k < 60 && mant % 1024n === 0n) { mant /= 1024n; k += 10; }
      const suffix = Object.keys(BINARY_SUFFIXES).find((s) => BINARY_SUFFIXES[s] === k) ?? '';
      return `${mant}${suffix}`;
    }
  }
  return formatDecimal(q, q.format === 'DecimalExponent');
}

/** Re-serializes a quantity string canonically; returns the input when malformed. */
export function canonicalQuantity(s: string): string {
  const q = tryParseQuantity(s);
  return q ? formatQuantity(q) : s;
}
