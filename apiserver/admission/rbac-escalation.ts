/**
 * RBAC escalation prevention (Kubernetes' rbac REST storage checks, run here as a validating
 * admission plugin): creating or updating a Role/ClusterRole needs every rule to be held already,
 * unless the user may `escalate` roles; a binding needs the bound role's rules held, unless the
 * user may `bind` that role. The RBAC view is attached after the authorizer starts (it reads the
 * registry this plugin belongs to), so the plugin holds it by reference.
 */
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin } from './types.js';
import { clusterRoleRules, uncoveredRules, type PolicyRule, type RbacSource } from '../auth/rbac.js';
import type { SyncAuthorizer } from '../auth/request-authz.js';
import type { UserInfo } from '../registry/types.js';

const GROUP = 'rbac.authorization.k8s.io';

/** Late-bound dependencies: set once RBAC runs; while unset the plugin admits everything. */
export interface EscalationDeps { rbac?: RbacSource; decide?: SyncAuthorizer }

function formatRule(r: PolicyRule): string {
  const q = (xs?: string[]) => `[${(xs ?? []).map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts = r.nonResourceURLs?.length ? [`NonResourceURLs:${q(r.nonResourceURLs)}`] : [`APIGroups:${q(r.apiGroups)}`, `Resources:${q(r.resources)}`];
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  return `{${[...parts, `Verbs:${q(r.verbs)}`].join(', ')}}`;
}

function may(deps: EscalationDeps, user: UserInfo, verb: string, resource: string, namespace: string | undefined, name: string): boolean {
  return deps.decide?.({ user, verb, resourceRequest: true, group: GROUP, resource, namespace, name }).decision === 'allow';
}

function referencedRules(src: RbacSource, ref: { kind?: string; name?: string }, namespace?: string): PolicyRule[] {
  if (ref.kind === 'ClusterRole') {
    const all = src.clusterRoles();
    const role = all.find((r) => r.metadata.name === ref.name);
    return role ? clusterRoleRules(role, all) : [];
  }
  return namespace ? src.roles(namespace).find((r) => r.metadata.name === ref.name)?.rules ?? [] : [];
}

/** The plugin; `deps` is filled in by main.ts after the authorizer is built. */
export function rbacEscalationPlugin(deps: EscalationDeps): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    type: 'validating',
    admit(a) {
      if (a.ref.group !== GROUP || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.object) return;
      const src = deps.rbac;
      const user = a.ctx.user;
      if (!src || user.groups.includes('system:masters')) return;
      const isRole = a.ref.resource === 'roles' || a.ref.resource === 'clusterroles';
      const isBinding = a.ref.resource === 'rolebindings' || a.ref.resource === 'clusterrolebindings';
      if (!isRole && !isBinding) return;
      const obj = a.object as { rules?: PolicyRule[]; roleRef?: { kind?: string; name?: string } };
      let wanted: PolicyRule[];
      if (isRole) {
        if (may(deps, user, 'escalate', a.ref.resource, a.namespace, a.name)) return;
        wanted = obj.rules ?? [];
      } else {
        const ref = obj.roleRef ?? {};
        if (may(deps, user, 'bind', ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles', ref.kind === 'ClusterRole' ? undefined : a.namespace, ref.name ?? '')) return;
        wanted = referencedRules(src, ref, a.namespace);
      }
      const missing = uncoveredRules(src, user, a.namespace, wanted);
      if (!missing.length) return;
      throw new ApiError('Forbidden', `${a.ref.resource}.${GROUP} "${a.name}" is forbidden: user "${user.username}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.map(formatRule).join('\n')}`,
        { name: a.name, group: GROUP, kind: a.ref.resource });
    },
  };
}
