/**
 * Subresources with their own shapes: `scale` (autoscaling/v1 Scale) of the replicated kinds,
 * `binding` and `eviction` of pods.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, conflict } from '../../lib/errors.js';
import { selectorFromLabelSelector, selectorFromSet, type LabelSelector } from '../../lib/labels/selector.js';
import { bodyOf, keyOf, throwIfInvalid, whatOf, type RegistryCore } from './context.js';
import { checkDisruptionBudgets } from './disruption.js';
import { deleteObject } from './delete.js';
import { isCore } from './kinds.js';
import { rfc3339 } from './metadata.js';
import type { DeleteOptions, RequestContext, ResourceDef, ResourceRef } from './types.js';
import { updateWith } from './update.js';

const SCALED = new Set(['deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'replicationcontrollers']);

/** True when `def` serves autoscaling/v1 Scale. */
export function hasScale(def: ResourceDef): boolean {
  return SCALED.has(def.group ? `${def.resource}.${def.group}` : def.resource);
}

const SCALE_DEF: ResourceDef = { group: 'autoscaling', version: 'v1', resource: 'scale', kind: 'Scale', listKind: 'ScaleList', singular: 'scale', namespaced: true, verbs: [] };

/** The Scale view of a replicated object (status.selector as a selector string). */
export function toScale(obj: KObject): KObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  const sel = spec.selector;
  // ReplicationControllers carry a plain label map; the apps kinds a LabelSelector.
  const isLabelSelector = sel && typeof sel === 'object' && ('matchLabels' in sel || 'matchExpressions' in sel);
  const selector = !sel ? '' : isLabelSelector ? selectorFromLabelSelector(sel as LabelSelector).toString() : selectorFromSet(sel as Record<string, string>).toString();
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

/** PUT .../scale: sets spec.replicas (resourceVersion in the body pins the parent's). */
export async function updateScale(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, body: unknown): Promise<KObject> {
  const scale = bodyOf(SCALE_DEF, body);
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throwIfInvalid(SCALE_DEF, name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, message: 'must be greater than or equal to 0' }]);
  }
  if (scale.metadata?.name && scale.metadata.name !== name) throw new ApiError('BadRequest', `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
  const updated = await updateWith(core, ctx, ref, def, namespace, name, 'scale', scale.metadata?.resourceVersion || undefined, (cur) => {
    const next = structuredClone(cur);
    (next.spec ??= {} as Record<string, unknown>);
    (next.spec as { replicas?: number }).replicas = (replicas as number | undefined) ?? 0;
    return next;
  });
  return toScale(updated);
}

/** A `Status` Success body, as Kubernetes returns for binding and eviction. */
function success(code: number): KObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code } as KObject;
}

/** POST pods/<name>/binding: sets spec.nodeName once and marks the pod scheduled. */
export async function bindPod(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, podName: string, body: unknown): Promise<KObject> {
  const binding = bodyOf({ ...SCALE_DEF, kind: 'Binding', group: '' }, body);
  const target = binding.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw new ApiError('Invalid', `Binding "${podName}" is invalid: target.name: Required value`, { causes: [{ field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' }] });
  if (target.kind && target.kind !== 'Node') throw new ApiError('Invalid', `Binding "${podName}" is invalid: target.kind: Unsupported value: "${target.kind}": supported values: "Node"`);
  const uid = binding.metadata?.uid;
  await updateWith(core, ctx, ref, def, namespace, podName, 'binding', undefined, (cur) => {
    const m = cur.metadata ?? {};
    if (uid && m.uid !== uid) throw conflict(def.resource, podName, def.group);
    if (m.deletionTimestamp) throw new ApiError('Conflict', `pod ${podName} is being deleted, cannot be assigned to a host`);
    const spec = (cur.spec ??= {}) as { nodeName?: string };
    if (spec.nodeName) throw new ApiError('Conflict', `pod ${podName} is already assigned to node "${spec.nodeName}"`);
    const next = structuredClone(cur);
    (next.spec as { nodeName?: string }).nodeName = target.name;
    const status = (next.status ??= {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() });
    status.conditions = conditions;
    return next;
  });
  return success(201);
}

/** POST pods/<name>/eviction: deletes the pod with the eviction's delete options (graceful). */
export async function evictPod(core: RegistryCore, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, podName: string, body: unknown): Promise<KObject> {
  const eviction = bodyOf({ ...SCALE_DEF, kind: 'Eviction', group: 'policy' }, body);
  if (eviction.metadata?.name && eviction.metadata.name !== podName) throw new ApiError('BadRequest', `name in URL does not match name in Eviction object`);
  const { obj: pod } = await core.store.mustGet(keyOf(core, def, namespace, podName), whatOf(def, podName));
  await checkDisruptionBudgets(core, pod);
  await deleteObject(core, ctx, ref, def, namespace, podName, (eviction.deleteOptions ?? {}) as DeleteOptions);
  return success(201);
}

/** Validates that `subresource` is served for `def`. */
export function checkSubresource(def: ResourceDef, subresource: string | undefined, allowed: string[]): void {
  if (!subresource) return;
  const served = subresource === 'scale' ? hasScale(def) : (def.subresources ?? []).includes(subresource) || (subresource === 'finalize' && isCore(def, 'namespaces'));
  if (!served || !allowed.includes(subresource)) throw new ApiError('NotFound', 'the server could not find the requested resource');
}
