/**
 * PATCH for the apiserver: one entry point over the four patch types Kubernetes accepts.
 * For 'json', 'merge' and 'strategic' this only computes the patched object; the registry records
 * field ownership for those writes with `updateManagedFields` (as for PUT). For 'apply' it
 * merges the applied configuration and updates managedFields itself (server-side apply).
 */
import type { KObject } from '../../lib/api/object.js';
import type { PatchType } from '../registry/types.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicPatch } from './strategic.js';
import { schemaForKind } from './strategies.js';
import { applyServerSide } from './server-side-apply.js';
import { ApiError } from '../../lib/errors.js';
import { badPatch, clone, isMap } from './util.js';

export { applyCreate } from './server-side-apply.js';
export { updateManagedFields, defaultFieldManager } from './managed-fields.js';
export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicPatch } from './strategic.js';

/** What applyPatch needs besides the object and the patch. */
export interface ApplyPatchOptions {
  /** Kind and apiVersion of the resource being patched (select strategies; stamped on managedFields). */
  kind: string;
  apiVersion: string;
  /** Field manager (required for 'apply'). */
  fieldManager?: string;
  /** Server-side apply: take ownership of conflicting fields instead of failing. */
  force?: boolean;
  /** e.g. 'status' or 'scale' when patching a subresource. */
  subresource?: string;
}

const CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** The PatchType for a PATCH Content-Type header (parameters like `; charset=utf-8` ignored). */
export function patchTypeFromContentType(ct: string): PatchType | undefined {
  return CONTENT_TYPES[ct.split(';')[0].trim().toLowerCase()];
}

/** Returns `current` with `patch` applied (a new object; `current` is never changed). Errors are ApiErrors. */
export function applyPatch(type: PatchType, current: KObject, patch: unknown, opts: ApplyPatchOptions): KObject {
  if (opts.force && type !== 'apply') throw badPatch('force is only allowed for apply patches (application/apply-patch+yaml)');
  let result: unknown;
  switch (type) {
    case 'json': result = applyJsonPatch(current, patch); break;
    case 'merge':
      if (!isMap(patch)) throw badPatch('merge patch: the patch must be a JSON object');
      result = applyMergePatch(clone(current), patch);
      break;
    case 'strategic': result = applyStrategicPatch(current, patch, schemaForKind(opts.kind)); break;
    case 'apply': return applyServerSide(current, patch, opts);
    default: throw new ApiError('UnsupportedMediaType', `the patch type ${JSON.stringify(type)} is not supported`);
  }
  if (!isMap(result)) throw badPatch('the patched document is not a JSON object');
  return result as KObject;
}
