/**
 * PATCH through the registry: the patch is applied to the stored object inside guaranteedUpdate
 * (so it retries on conflicts like Kubernetes), then the update rules apply. A server-side apply
 * to a missing object creates it.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, conflict, isApiError } from '../../lib/errors.js';
import { applyCreate, applyPatch, updateManagedFields } from '../patch/index.js';
import type { RegistryCore } from './context.js';
import type { StorageView } from './conversion.js';
import { createObject } from './create.js';
import { apiVersionOf } from './metadata.js';
import { hasScale, toScale } from './subresources.js';
import type { PatchOptions, PatchType, RequestContext, ResourceDef, ResourceRef } from './types.js';
import { mergeBody, updateWith } from './update.js';

/** PATCH of an object, its status, or its scale. */
export async function patchObject(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOptions, subresource?: string, view?: StorageView): Promise<KObject> {
  const fieldManager = opts.fieldManager ?? ctx.fieldManager;
  if (type === 'apply' && !fieldManager) throw new ApiError('BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  // A patch is written against the version the client speaks: apply it to that view of the object.
  const apiVersion = view ? view.apiVersion : apiVersionOf(def);
  const popts = { kind: def.kind, apiVersion, fieldManager, force: opts.force, subresource };
  const toView = (o: KObject) => (view ? view.fromStorage(o) : o);
  const toStorage = (o: KObject) => (view ? view.toStorage(o) : o);
  if (subresource === 'scale') {
    if (!hasScale(def)) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const updated = await updateWith(core, ctx, ref, def, namespace, name, 'scale', undefined, (cur) => {
      const scale = applyPatch(type, toScale(cur), patch, { ...popts, kind: 'Scale', apiVersion: 'autoscaling/v1' });
      const next = structuredClone(cur);
      (next.spec ??= {} as Record<string, unknown>);
      (next.spec as { replicas?: unknown }).replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      return next;
    });
    return toScale(updated);
  }
  try {
    return await updateWith(core, ctx, ref, def, namespace, name, subresource, undefined, (cur) => {
      const patched = toStorage(applyPatch(type, toView(cur), patch, popts));
      const rv = patched.metadata?.resourceVersion;
      // A resourceVersion put in by the patch is a precondition, as in Kubernetes.
      if (rv && rv !== cur.metadata?.resourceVersion) throw conflict(def.resource, name, def.group);
      const next = mergeBody(def, patched, cur, subresource);
      return type !== 'apply' && fieldManager ? updateManagedFields(cur, next, fieldManager, 'Update', apiVersionOf(def), subresource) : next;
    });
  } catch (err) {
    if (!(type === 'apply' && !subresource && isApiError(err, 'NotFound') && err.details?.name === name)) throw err;
    const obj = toStorage(applyCreate(patch, { ...popts, name, namespace: def.namespaced ? namespace : undefined }));
    if (obj.metadata) delete obj.metadata.resourceVersion;
    // applyCreate recorded the Apply ownership; no extra Update entry for the same manager.
    return createObject(core, { ...ctx, fieldManager: undefined }, ref, def, namespace, obj);
  }
}
