/**
 * What the registry's operations (create, update, delete, subresources) share: the store, the
 * key layout, the admission chain and per-kind hooks.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError, invalid, type FieldError } from '../../lib/errors.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { AdmissionAttributes, Operation } from '../admission/types.js';
import { objectKey } from '../storage/keys.js';
import type { LogFn } from '../storage/log.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { EtcdStore, Stored, What } from '../storage/store.js';
import type { RequestContext, ResourceDef, ResourceRef } from './types.js';

/** Cluster resources a Service holds (ClusterIP, NodePorts), allocated and released by the registry. */
export interface ServiceAllocation {
  /** Allocates for a new service, filling spec; returns how to give them back if the create fails. */
  allocate(svc: KObject, dryRun: boolean): Promise<() => Promise<void>>;
  /** Keeps old allocations on update, allocates new node ports; returns how to undo the new ones. */
  update(svc: KObject, old: KObject, dryRun: boolean): Promise<{ undo(): Promise<void>; releaseOld(): Promise<void> }>;
  /** Gives back what a deleted service held. */
  release(svc: KObject): Promise<void>;
}

/** Shared state of one registry. */
export interface RegistryCore {
  store: EtcdStore;
  prefix: string;
  admission: AdmissionChain;
  /** TTL (seconds) of Event objects. */
  eventTtlSeconds: number;
  services?: ServiceAllocation;
  log?: LogFn;
  /** The served kind of a resource (for writes the registry makes itself). */
  lookup(group: string, resource: string): ResourceDef | undefined;
  /** True when the namespace has a ResourceQuota (creates there are serialized so quotas hold). */
  hasQuota?(namespace: string): Promise<boolean>;
  /** The watch cache's copy of `key` of `resource` (current with this process's writes), as a first guess for updates. */
  cachedStored?(resource: string, key: string): Promise<Stored | undefined>;
  /** Serializes quota-checked creates per namespace. */
  quotaLock: KeyedMutex;
}

/** The etcd key of an object of `def`. */
export function keyOf(core: RegistryCore, def: ResourceDef, namespace: string | undefined, name: string): string {
  return objectKey(core.prefix, def.resource, def.namespaced ? namespace : undefined, name);
}

/** How errors name an object of `def`. */
export function whatOf(def: ResourceDef, name: string): What {
  return { resource: def.resource, group: def.group, name };
}

/** Builds admission attributes. */
export function attrsOf(operation: Operation, ctx: RequestContext, ref: ResourceRef, def: ResourceDef, namespace: string | undefined, name: string, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { operation, ctx, ref, def, namespace: def.namespaced ? namespace : undefined, name, ...extra };
}

/** Runs the admission plugins' after-write bookkeeping (quota usage) for a persisted write. */
export async function afterWrite(core: RegistryCore, attrs: AdmissionAttributes): Promise<void> {
  if (attrs.ctx.dryRun) return;
  await core.admission.afterWrite(attrs, (plugin, err) => core.log?.('warn', 'admission after-write failed', { plugin, resource: attrs.ref.resource, namespace: attrs.namespace, name: attrs.name, err: String((err as Error)?.message ?? err) }));
}

/** Throws 422 Invalid when there are field errors. */
export function throwIfInvalid(def: ResourceDef, name: string, errs: FieldError[]): void {
  if (errs.length) throw invalid(def.kind, name, errs, def.group);
}

const HANDED_OVER = new WeakSet<object>();

/**
 * Marks a request body its caller gives to the registry for good: decoded for this request alone,
 * never read or changed by the caller again. The registry then works on it instead of a copy.
 */
export function handOver<T extends object>(body: T): T {
  HANDED_OVER.add(body);
  return body;
}

/** Checks the body is an object of the served kind; returns a private copy (the body itself when it was handed over). */
export function bodyOf(def: ResourceDef, body: unknown): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BadRequest', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  const obj = (HANDED_OVER.delete(body) ? body : structuredClone(body)) as KObject;
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw new ApiError('BadRequest', `the kind of the provided object (${obj.kind}) does not match the kind of the resource (${def.kind})`);
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw new ApiError('BadRequest', 'metadata must be an object');
  }
  obj.metadata ??= {};
  return obj;
}

/** Applies the request namespace to the body: a different one in the body is 400, as Kubernetes. */
export function settleNamespace(def: ResourceDef, namespace: string | undefined, obj: KObject): string | undefined {
  const m = obj.metadata!;
  if (!def.namespaced) { delete m.namespace; return undefined; }
  const ns = namespace || m.namespace;
  if (namespace && m.namespace && m.namespace !== namespace) {
    throw new ApiError('BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!ns) throw invalid(def.kind, m.name ?? '', [{ type: 'FieldValueRequired', field: 'metadata.namespace', message: '' }], def.group);
  m.namespace = ns;
  return ns;
}
