/** Small JSON helpers shared by the patch implementations. */
import { ApiError } from '../../lib/errors.js';

/** A JSON object (not null, not an array). */
export type JsonMap = Record<string, unknown>;

/** True for plain JSON objects (not arrays, not null). */
export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of two JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy of a JSON value (structuredClone keeps the caller's object untouched). */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** A 400 BadRequest naming what is wrong with a patch body. */
export function badPatch(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

/** A 422 for a well-formed patch that cannot be applied to the current object. */
export function unprocessable(message: string): ApiError {
  return new ApiError('Invalid', message);
}
