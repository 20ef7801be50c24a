/**
 * Admission contracts: what a plugin sees about a request, and the plugin shape. Mutating plugins
 * run first (they may change `object`), validating ones after (they may only reject).
 */
import type { KObject } from '../../lib/api/object.js';
import type { RequestContext, ResourceDef, ResourceRef } from '../registry/types.js';

/** The operation being admitted. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Everything a plugin may look at (Kubernetes' admission.Attributes). */
export interface AdmissionAttributes {
  operation: Operation;
  ref: ResourceRef;
  def: ResourceDef;
  namespace?: string;
  name: string;
  subresource?: string;
  /** The incoming object (CREATE/UPDATE); mutating plugins change it in place. */
  object?: KObject;
  /** The stored object (UPDATE/DELETE). */
  oldObject?: KObject;
  ctx: RequestContext;
}

/** One admission plugin, registered by name. */
export interface AdmissionPlugin {
  name: string;
  type: 'mutating' | 'validating';
  /** Throws an ApiError to reject. */
  admit(attrs: AdmissionAttributes): void | Promise<void>;
  /** Bookkeeping after a successful (not dry-run) write, e.g. quota usage; must not throw. */
  afterWrite?(attrs: AdmissionAttributes): Promise<void>;
}

/** Storage access for plugins that read other objects (LimitRanges, ResourceQuotas, pods). */
export interface AdmissionStore {
  /** Objects of a core `resource` in `namespace` (read-only). */
  list(resource: string, namespace: string): Promise<KObject[]>;
  /** Read-modify-write of one object, retried on conflicts (no admission, no validation). */
  update(resource: string, namespace: string, name: string, mutate: (cur: KObject) => KObject): Promise<void>;
}
