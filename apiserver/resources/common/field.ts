/**
 * Builders for field errors worded as Kubernetes' field.Error constructors (Required, Invalid,
 * NotSupported, Duplicate, Forbidden, TooLong), so validators read like their Go originals.
 */
import type { FieldError } from '../../../lib/errors.js';

/** `<path>: Required value[: detail]`. */
export function required(field: string, message = ''): FieldError {
  return { type: 'FieldValueRequired', field, message };
}

/** `<path>: Invalid value: <value>: <detail>`. */
export function invalidValue(field: string, value: unknown, message: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, message };
}

/** `<path>: Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return { type: 'FieldValueNotSupported', field, value, message: supported.length ? `supported values: ${list}` : '' };
}

/** `<path>: Duplicate value: <value>`. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value, message: '' };
}

/** `<path>: Forbidden: <detail>`. */
export function forbidden(field: string, message: string): FieldError {
  return { type: 'FieldValueForbidden', field, message };
}

/** `<path>: Too long: must have at most <n> bytes`. */
export function tooLong(field: string, value: unknown, max: number): FieldError {
  return { type: 'FieldValueTooLong', field, value, message: `must have at most ${max} bytes` };
}

/** One Invalid error per message (string validators return lists of messages), as Kubernetes does. */
export function invalidIf(field: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => invalidValue(field, value, m));
}

/** Kubernetes' immutable-field message. */
export const FIELD_IMMUTABLE = 'field is immutable';

/** True for a plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality for JSON values (to detect changes to immutable fields). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
