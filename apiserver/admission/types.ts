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
}
