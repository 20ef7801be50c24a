/**
 * A live copy of Roles, ClusterRoles and their bindings for the RBAC authorizer (kube-apiserver
 * reads them through informers too): list, then watch from the list's revision; on any watch
 * failure (410 Gone included) list again after a short, growing delay. Reads are synchronous.
 */
import type { Registry, RequestContext, ResourceRef } from '../registry/types.js';
import type { KObject } from '../../lib/api/object.js';
import type { BindingObject, RbacSource, RoleObject } from './rbac.js';
import { logLine } from '../rest/log.js';

const SYSTEM: RequestContext = { user: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] } };
const ref = (resource: string): ResourceRef => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource });
const KINDS = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;
type Kind = typeof KINDS[number];

const keyOf = (o: KObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** RbacSource backed by registry watches. */
export class RbacCache implements RbacSource {
  private readonly store: Record<Kind, Map<string, KObject>> = { roles: new Map(), clusterroles: new Map(), rolebindings: new Map(), clusterrolebindings: new Map() };

  constructor(private readonly registry: Registry) {}

  /** Loads everything once, then keeps following changes until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const revisions = await Promise.all(KINDS.map((k) => this.load(k)));
    KINDS.forEach((k, i) => void this.follow(k, revisions[i], signal));
  }

  private async load(kind: Kind): Promise<string> {
    const list = await this.registry.list(SYSTEM, ref(kind), undefined, {});
    const fresh = new Map<string, KObject>();
    for (const o of list.items) fresh.set(keyOf(o), o);
    this.store[kind] = fresh;
    return list.metadata?.resourceVersion ?? '';
  }

  private async follow(kind: Kind, revision: string, signal: AbortSignal): Promise<void> {
    let delay = 100;
    while (!signal.aborted) {
      try {
        for await (const ev of this.registry.watch(SYSTEM, ref(kind), undefined, { resourceVersion: revision }, signal)) {
          delay = 100;
          const rv = ev.object.metadata?.resourceVersion;
          if (rv) revision = rv;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.store[kind].set(keyOf(ev.object), ev.object);
          else if (ev.type === 'DELETED') this.store[kind].delete(keyOf(ev.object));
        }
      } catch (err) {
        if (signal.aborted) return;
        logLine('warn', 'rbac watch failed, relisting', { resource: kind, err: (err as Error).message });
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
      try { revision = await this.load(kind); } catch { /* retried on the next turn */ }
    }
  }

  private values(kind: Kind, namespace?: string): KObject[] {
    const all = [...this.store[kind].values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  /** Roles of a namespace. */
  roles(namespace: string): RoleObject[] { return this.values('roles', namespace) as unknown as RoleObject[]; }
  /** Every ClusterRole. */
  clusterRoles(): RoleObject[] { return this.values('clusterroles') as unknown as RoleObject[]; }
  /** RoleBindings of a namespace. */
  roleBindings(namespace: string): BindingObject[] { return this.values('rolebindings', namespace) as unknown as BindingObject[]; }
  /** Every ClusterRoleBinding. */
  clusterRoleBindings(): BindingObject[] { return this.values('clusterrolebindings') as unknown as BindingObject[]; }
}
