/**
 * RBAC evaluation (Kubernetes' rbac authorizer, pure): a request is allowed when some binding
 * whose subject matches the user points at a role with a rule covering it. ClusterRoleBindings
 * apply everywhere; RoleBindings only in their namespace (to a Role there or a ClusterRole).
 * ClusterRoles with an aggregationRule collect the rules of the roles their selectors match.
 */
import { selectorFromLabelSelector, type LabelSelector } from '../../lib/labels/selector.js';
import type { AuthzAttributes, Decision } from './authz.js';
import type { UserInfo } from '../registry/types.js';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
/** A Role or ClusterRole (only what evaluation reads). */
export interface RoleObject { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; rules?: PolicyRule[]; aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } }
/** rbac Subject. */
export interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }
/** A RoleBinding or ClusterRoleBinding. */
export interface BindingObject { metadata: { name: string; namespace?: string }; subjects?: Subject[]; roleRef: { kind: string; name: string; apiGroup?: string } }

/** The RBAC objects evaluation reads (a snapshot or a live cache). */
export interface RbacSource {
  roles(namespace: string): RoleObject[];
  clusterRoles(): RoleObject[];
  roleBindings(namespace: string): BindingObject[];
  clusterRoleBindings(): BindingObject[];
}

/** True when the binding subject names this user (User, Group, or ServiceAccount). */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  if (s.kind === 'User') return s.name === user.username;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.username === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
  return false;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, a: AuthzAttributes): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  const list = rule.resources ?? [];
  // `*/scale` covers the scale subresource of every resource; `*` covers everything.
  return list.includes('*') || list.includes(res) || (!!a.subresource && list.includes(`*/${a.subresource}`));
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** True when one rule covers the request. */
export function ruleAllows(rule: PolicyRule, a: AuthzAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return urlMatches(rule, a.path ?? '');
  if (!has(rule.apiGroups, a.group ?? '') || !resourceMatches(rule, a)) return false;
  // resourceNames restricts to named objects: a request without a name (list, create) is not covered.
  if (rule.resourceNames?.length) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

/**
 * The rules of a ClusterRole, with aggregated roles' rules folded in (recursively: admin
 * aggregates edit, which aggregates its parts, as the aggregation controller's output would).
 */
export function clusterRoleRules(role: RoleObject, all: RoleObject[], seen = new Set<string>()): PolicyRule[] {
  seen.add(role.metadata.name);
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors?.length) return role.rules ?? [];
  const members = all.filter((r) => !seen.has(r.metadata.name) && selectors.some((sel) => selectorFromLabelSelector(sel as LabelSelector).matches(r.metadata.labels ?? {})));
  members.forEach((m) => seen.add(m.metadata.name));
  return [...(role.rules ?? []), ...members.flatMap((r) => clusterRoleRules(r, all, seen))];
}

function roleRules(src: RbacSource, ref: BindingObject['roleRef'], namespace?: string): PolicyRule[] {
  if (ref.kind === 'ClusterRole') {
    const all = src.clusterRoles();
    const role = all.find((r) => r.metadata.name === ref.name);
    return role ? clusterRoleRules(role, all) : [];
  }
  if (ref.kind === 'Role' && namespace) return src.roles(namespace).find((r) => r.metadata.name === ref.name)?.rules ?? [];
  return [];
}

/** Every rule that applies to the user in `namespace` (cluster-wide ones included). */
export function rulesFor(src: RbacSource, user: UserInfo, namespace?: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of src.clusterRoleBindings()) {
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user))) out.push(...roleRules(src, b.roleRef));
  }
  if (namespace) {
    for (const b of src.roleBindings(namespace)) {
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) out.push(...roleRules(src, b.roleRef, namespace));
    }
  }
  return out;
}

/** The RBAC decision: allow with the granting rule's reason, or no-opinion (others may allow). */
export function rbacDecide(src: RbacSource, a: AuthzAttributes): Decision {
  const ns = a.resourceRequest ? a.namespace : undefined;
  return rulesFor(src, a.user, ns).some((r) => ruleAllows(r, a)) ? { decision: 'allow', reason: 'RBAC' } : { decision: 'no-opinion' };
}

/**
 * Escalation check (Kubernetes' ConfirmNoEscalation): every rule of a role being created or bound
 * must be covered by the rules the user already holds in that namespace.
 */
export function uncoveredRules(src: RbacSource, user: UserInfo, namespace: string | undefined, wanted: PolicyRule[]): PolicyRule[] {
  const held = rulesFor(src, user, namespace);
  const covered = (verb: string, base: Omit<AuthzAttributes, 'verb'>) => held.some((h) => ruleAllows(h, { ...base, verb }));
  return wanted.filter((w) => {
    if (w.nonResourceURLs?.length) return !w.verbs.every((v) => w.nonResourceURLs!.every((p) => covered(v, { user, resourceRequest: false, path: p })));
    const names = w.resourceNames?.length ? w.resourceNames : [undefined];
    return !w.verbs.every((verb) => (w.apiGroups ?? ['']).every((group) => (w.resources ?? []).every((res) => names.every((name) => {
      const [resource, subresource] = res.split('/');
      return covered(verb, { user, resourceRequest: true, group, resource, subresource, namespace, name });
    }))));
  });
}
