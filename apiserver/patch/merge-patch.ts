/**
 * RFC 7386 JSON Merge Patch: objects merge key by key, `null` deletes a key, anything else
 * (arrays included) replaces the target value.
 */
import { clone, isMap, type JsonMap } from './util.js';

/** Returns `target` with `patch` merged in (RFC 7386); neither input is changed. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}
