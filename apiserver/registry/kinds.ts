/**
 * The few per-kind storage behaviours the registry itself owns (Kubernetes keeps them in the
 * kinds' REST storage): namespace lifecycle fields, pod graceful deletion, Event TTLs.
 */
import type { KObject } from '../../lib/api/object.js';
import type { DeleteOptions, ResourceDef } from './types.js';

/** True for the core kind `resource`. */
export function isCore(def: ResourceDef, resource: string): boolean {
  return def.group === '' && def.resource === resource;
}

/** Fields the server sets on a new object of some kinds (namespace phase and finalizer). */
export function prepareKindForCreate(def: ResourceDef, obj: KObject): void {
  if (isCore(def, 'namespaces')) {
    const spec = (obj.spec ??= {}) as { finalizers?: string[] };
    if (!spec.finalizers?.length) spec.finalizers = ['kubernetes'];
    obj.status = { phase: 'Active' };
  }
}

/** etcd lease TTL for a new object: Events expire (1 h by default), nothing else does. */
export function leaseTtlFor(def: ResourceDef, eventTtlSeconds: number): number | undefined {
  return def.resource === 'events' && (def.group === '' || def.group === 'events.k8s.io') ? eventTtlSeconds : undefined;
}

/**
 * The grace period a delete gets. Only pods bound to a node and not finished are deleted
 * gracefully (the kubelet stops the containers, then deletes with grace 0); everything else goes at once.
 */
export function gracePeriodFor(def: ResourceDef, obj: KObject, opts: DeleteOptions): number {
  if (!isCore(def, 'pods')) return 0;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const requested = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  // Kubernetes turns a negative request into 1 s and treats 0 as "now".
  return requested < 0 ? 1 : requested;
}

// Kubernetes' strategies that answer AllowCreateOnUpdate() == true among the built-in kinds.
const CREATE_ON_UPDATE = new Set(['endpoints', 'events', 'limitranges', 'leases.coordination.k8s.io', 'events.events.k8s.io']);

/** True when a PUT of a missing object of `def` creates it. */
export function createsOnUpdate(def: ResourceDef): boolean {
  return def.allowCreateOnUpdate ?? CREATE_ON_UPDATE.has(def.group ? `${def.resource}.${def.group}` : def.resource);
}
