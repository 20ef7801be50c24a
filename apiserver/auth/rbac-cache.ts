/**
 * A live copy of Roles, ClusterRoles and their bindings for the RBAC authorizer (kube-apiserver
 * reads them through informers too): one RegistryMirror per kind. Reads are synchronous.
 */
import type { Registry } from '../registry/types.js';
import type { KObject } from '../../lib/api/object.js';
import type { BindingObject, RbacSource, RoleObject } from './rbac.js';
import { RegistryMirror } from './registry-mirror.js';

const KINDS = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;
type Kind = typeof KINDS[number];

/** RbacSource backed by registry watches. */
export class RbacCache implements RbacSource {
  private readonly mirrors: Record<Kind, RegistryMirror>;

  constructor(registry: Registry) {
    const mirror = (resource: Kind) => new RegistryMirror(registry, { ref: { group: 'rbac.authorization.k8s.io', version: 'v1', resource } });
    this.mirrors = { roles: mirror('roles'), clusterroles: mirror('clusterroles'), rolebindings: mirror('rolebindings'), clusterrolebindings: mirror('clusterrolebindings') };
  }

  /** Loads everything once, then keeps following changes until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(KINDS.map((k) => this.mirrors[k].start(signal)));
  }

  private values(kind: Kind, namespace?: string): KObject[] { return this.mirrors[kind].values(namespace); }

  /** Roles of a namespace. */
  roles(namespace: string): RoleObject[] { return this.values('roles', namespace) as unknown as RoleObject[]; }
  /** Every ClusterRole. */
  clusterRoles(): RoleObject[] { return this.values('clusterroles') as unknown as RoleObject[]; }
  /** RoleBindings of a namespace. */
  roleBindings(namespace: string): BindingObject[] { return this.values('rolebindings', namespace) as unknown as BindingObject[]; }
  /** Every ClusterRoleBinding. */
  clusterRoleBindings(): BindingObject[] { return this.values('clusterrolebindings') as unknown as BindingObject[]; }
}
