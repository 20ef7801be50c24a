/**
 * Delete as Kubernetes' generic store does it: preconditions, finalizers (incl. the
 * garbage-collector ones added by propagationPolicy), graceful deletion of bound pods, the
 * namespace Terminating phase; otherwise the key is removed at once.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { UpdateResult } from '../storage/store.js';
import { afterWrite, attrsOf, keyOf, whatOf, type RegistryCore } from './context.js';
import { gracePeriodFor, isCore } from './kinds.js';
import { rfc3339 } from './metadata.js';
import type { DeleteOptions, RequestContext, ResourceDef, ResourceRef } from './types.js';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

/** 400 for malformed delete options. */
export function checkDeleteOptions(opts: DeleteOptions): void {
  if (opts.gracePeriodSeconds !== undefined && !Number.isInteger(opts.gracePeriodSeconds)) throw new ApiError('BadRequest', `invalid gracePeriodSeconds: ${opts.gracePeriodSeconds}`);
  if (opts.propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw new ApiError('BadRequest', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
}

/** 409 when a uid/resourceVersion precondition does not hold, with Kubernetes' wording. */
export function checkPreconditions(opts: DeleteOptions, obj: KObject): void {
  const p = opts.preconditions;
  const m = obj.metadata ?? {};
  if (p?.uid && p.uid !== m.uid) throw new ApiError('Conflict', `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${m.uid ?? ''}`);
  if (p?.resourceVersion && p.resourceVersion !== m.resourceVersion) {
    throw new ApiError('Conflict', `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in meta: ${m.resourceVersion ?? ''}`);
  }
}

/** The finalizers after applying propagationPolicy (Foreground/Orphan add theirs, Background drops both). */
export function finalizersFor(existing: string[], policy: DeleteOptions['propagationPolicy']): string[] {
  if (!policy) return existing;
  const rest = existing.filter((f) => f !== ORPHAN && f !== FOREGROUND);
  if (policy === 'Orphan') return [...rest, ORPHAN];
  if (policy === 'Foreground') return [...rest, FOREGROUND];
  return rest;
}

/** Decides what a delete does to the stored object: remove it, or the object to write instead. */
export function planDelete(def: ResourceDef, obj: KObject, opts: DeleteOptions, now = new Date()): UpdateResult {
  const m = (obj.metadata ??= {});
  const finalizers = finalizersFor(m.finalizers ?? [], opts.propagationPolicy);
  if (finalizers.length) m.finalizers = finalizers; else delete m.finalizers;
  const grace = gracePeriodFor(def, obj, opts);
  if (isCore(def, 'namespaces')) {
    const nsFinalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!nsFinalizers.length && !finalizers.length) return 'delete';
    if (!m.deletionTimestamp) { m.deletionTimestamp = rfc3339(now); m.deletionGracePeriodSeconds = 0; }
    obj.status = { ...(obj.status as object | undefined), phase: 'Terminating' };
    return obj;
  }
  if (m.deletionTimestamp) {
    // Already being deleted: a shorter grace period brings the deadline forward (kubelet's final grace 0).
    if (grace < (m.deletionGracePeriodSeconds ?? 0)) {
      m.deletionGracePeriodSeconds = grace;
      m.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
    }
    if (!finalizers.length && (m.deletionGracePeriodSeconds ?? 0) === 0) return 'delete';
    return obj;
  }
  if (!finalizers.length && grace === 0) return 'delete';
  m.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
  m.deletionGracePeriodSeconds = grace;
  if (m.generation !== undefined) m.generation++;
  return obj;
}

/** Deletes one object (or starts its graceful/finalized deletion); returns the last state. */
export async function deleteObject(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<KObject> {
  checkDeleteOptions(opts);
  const res = await core.store.guaranteedUpdate(keyOf(core, def, namespace, name), whatOf(def, name), async (cur) => {
    checkPreconditions(opts, cur.obj);
    await core.admission.validate(attrsOf('DELETE', ctx, ref, def, namespace, name, { oldObject: cur.obj }));
    return planDelete(def, cur.obj, opts);
  }, { dryRun: ctx.dryRun });
  if (res.deleted && !ctx.dryRun && isCore(def, 'services')) await core.services?.release(res.obj);
  await afterWrite(core, attrsOf('DELETE', ctx, ref, def, namespace, name, { oldObject: res.obj }));
  return res.obj;
}
