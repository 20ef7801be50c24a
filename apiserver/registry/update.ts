/**
 * Update (PUT) of an object or its status/finalize subresource: optimistic concurrency on the
 * body's resourceVersion, metadata rules, validation, and completing a deletion once the last
 * finalizer is gone.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, conflict, isApiError } from '../../lib/errors.js';
import type { Stored, UpdateResult } from '../storage/store.js';
import { afterWrite, attrsOf, bodyOf, keyOf, settleNamespace, throwIfInvalid, whatOf, type RegistryCore } from './context.js';
import { createObject } from './create.js';
import { createsOnUpdate, isCore, leaseTtlFor } from './kinds.js';
import { updateManagedFields } from '../patch/index.js';
import { apiVersionOf, applyUpdateMeta } from './metadata.js';
import { forbidden, required } from '../resources/common/field.js';
import type { RequestContext, ResourceDef, ResourceRef } from './types.js';

/** Builds the object to store from the stored one; may throw ApiErrors. */
export type Mutation = (cur: KObject) => KObject | Promise<KObject>;

/** The object an update stores, by subresource: main resource, status only, or namespace finalizers only. */
export function mergeBody(def: ResourceDef, body: KObject, cur: KObject, subresource: string | undefined): KObject {
  if (subresource === 'status' || (subresource === 'approval' && def.subresources?.includes('approval'))) {
    const next = structuredClone(cur);
    if (body.status === undefined) delete next.status; else next.status = body.status;
    def.prepareSubresourceUpdate?.(subresource, next, cur);
    return next;
  }
  if (subresource === 'finalize') {
    if (!isCore(def, 'namespaces')) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const next = structuredClone(cur);
    (next.spec ??= {} as Record<string, unknown>);
    (next.spec as { finalizers?: string[] }).finalizers = ((body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []);
    return next;
  }
  if (subresource === 'ephemeralcontainers') {
    if (!isCore(def, 'pods')) throw new ApiError('NotFound', 'the server could not find the requested resource');
    return withEphemeralContainers(def, body, cur);
  }
  if (subresource) throw new ApiError('NotFound', 'the server could not find the requested resource');
  const next = body;
  // Without a kind-specific prepareForUpdate, status still only changes through /status.
  if (!def.prepareForUpdate && def.subresources?.includes('status')) {
    if (cur.status === undefined) delete next.status; else next.status = structuredClone(cur.status);
  }
  def.prepareForUpdate?.(next, cur);
  return next;
}

interface Named { name?: string; image?: string }

/**
 * pods/ephemeralcontainers (kubectl debug): only spec.ephemeralContainers changes, and only by
 * adding containers; the ones there may not be changed or removed.
 */
function withEphemeralContainers(def: ResourceDef, body: KObject, cur: KObject): KObject {
  const spec = (s: KObject) => (s.spec ?? {}) as { containers?: Named[]; initContainers?: Named[]; ephemeralContainers?: Named[] };
  const want = spec(body).ephemeralContainers ?? [];
  const have = spec(cur).ephemeralContainers ?? [];
  const errs = [];
  for (const h of have) {
    const w = want.find((c) => c.name === h.name);
    if (!w) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${h.name}" may not be removed`));
    else if (JSON.stringify(w) !== JSON.stringify(h)) errs.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers "${h.name}" may not be changed`));
  }
  const names = new Set([...(spec(cur).containers ?? []), ...(spec(cur).initContainers ?? [])].map((c) => c.name));
  want.forEach((c, i) => {
    if (have.some((h) => h.name === c.name)) return;
    if (!c.name) errs.push(required(`spec.ephemeralContainers[${i}].name`));
    else if (names.has(c.name)) errs.push(forbidden(`spec.ephemeralContainers[${i}].name`, `container name "${c.name}" is already in use`));
    if (!c.image) errs.push(required(`spec.ephemeralContainers[${i}].image`));
  });
  throwIfInvalid(def, cur.metadata?.name ?? '', errs);
  const next = structuredClone(cur);
  (next.spec as { ephemeralContainers?: Named[] }).ephemeralContainers = structuredClone(want);
  return next;
}

/** True when this update removed the last finalizer of an object whose deletion is due now. */
export function deletionDue(next: KObject, old: KObject): boolean {
  const m = next.metadata ?? {};
  if (!m.deletionTimestamp || m.finalizers?.length) return false;
  if (!old.metadata?.finalizers?.length) return false;
  return (m.deletionGracePeriodSeconds ?? 0) === 0;
}

/**
 * Runs one update through guaranteedUpdate: `mutate` builds the new object, then metadata rules,
 * validation and admission apply. `expectRv` pins the stored revision (Conflict when it moved).
 */
export async function updateWith(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, subresource: string | undefined, expectRv: string | undefined, mutate: Mutation): Promise<KObject> {
  const what = whatOf(def, name);
  let undo: (() => Promise<void>) | undefined;
  let releaseOld: (() => Promise<void>) | undefined;
  const tryUpdate = async (cur: Stored): Promise<UpdateResult> => {
    await undo?.(); undo = undefined; releaseOld = undefined;
    if (expectRv && expectRv !== cur.obj.metadata?.resourceVersion) throw conflict(def.resource, name, def.group);
    const next = await mutate(cur.obj);
    const attrs = attrsOf('UPDATE', ctx, ref, def, namespace, name, { object: next, oldObject: cur.obj, subresource });
    // A scale update writes the main object (spec.replicas): mutated and validated as one.
    const main = !subresource || subresource === 'scale';
    if (main) await core.admission.mutate(attrs);
    const errs = applyUpdateMeta(next, cur.obj, def);
    if (main && def.validateUpdate) errs.push(...def.validateUpdate(next, cur.obj));
    if (subresource && !main && def.validateSubresourceUpdate) errs.push(...def.validateSubresourceUpdate(subresource, next, cur.obj));
    throwIfInvalid(def, name, errs);
    await core.admission.validate(attrs);
    if (deletionDue(next, cur.obj)) return 'delete';
    if (isCore(def, 'services') && core.services && main) {
      ({ undo, releaseOld } = await core.services.update(next, cur.obj, !!ctx.dryRun));
    }
    return next;
  };
  let stored = false;
  try {
    // Events get a fresh TTL on every write, as Kubernetes' TTL storage does.
    const key = keyOf(core, def, namespace, name);
    const res = await core.store.guaranteedUpdate(key, what, tryUpdate, { dryRun: ctx.dryRun, leaseTtl: leaseTtlFor(def, core.eventTtlSeconds), cached: () => core.cachedStored?.(def.resource, key) });
    stored = true;
    if (res.deleted && isCore(def, 'services') && !ctx.dryRun) await core.services?.release(res.obj);
    else await releaseOld?.();
    await afterWrite(core, attrsOf(res.deleted ? 'DELETE' : 'UPDATE', ctx, ref, def, namespace, name, { object: res.obj, subresource }));
    return res.obj;
  } catch (err) {
    // New allocations are given back only when the write did not happen.
    if (!stored) await undo?.();
    throw err;
  }
}

/** PUT of an object or its status/finalize subresource. */
export async function updateObject(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, body: unknown, subresource?: string): Promise<KObject> {
  const obj = bodyOf(def, body);
  const ns = settleNamespace(def, namespace, obj);
  const m = obj.metadata!;
  if (m.name && m.name !== name) throw new ApiError('BadRequest', `the name of the object (${m.name}) does not match the name on the URL (${name})`);
  m.name = name;
  const rv = m.resourceVersion || undefined;
  if (!rv && def.allowUnconditionalUpdate === false) {
    throwIfInvalid(def, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: '0x0', message: 'must be specified for an update' }]);
  }
  try {
    return await updateWith(core, ctx, ref, def, ns, name, subresource, rv, (cur) => {
      const next = mergeBody(def, structuredClone(obj), cur, subresource);
      return ctx.fieldManager ? updateManagedFields(cur, next, ctx.fieldManager, 'Update', apiVersionOf(def), subresource) : next;
    });
  } catch (err) {
    if (!(isApiError(err, 'NotFound') && err.details?.name === name && !subresource && !rv && createsOnUpdate(def))) throw err;
    return createObject(core, ctx, ref, def, ns, obj);
  }
}
