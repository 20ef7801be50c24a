import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRoleRules, rbacDecide, uncoveredRules, type BindingObject, type RbacSource, type RoleObject } from './rbac.js';
import { defaultClusterRoleBindings, defaultClusterRoles } from './bootstrap-roles.js';
import { unionAuthorizer } from './request-authz.js';
import type { AuthzAttributes } from './authz.js';

function source(roles: RoleObject[], bindings: BindingObject[]): RbacSource {
  const cluster = (o: { metadata: { namespace?: string } }) => !o.metadata.namespace;
  return {
    roles: (ns) => roles.filter((r) => r.metadata.namespace === ns),
    clusterRoles: () => [...defaultClusterRoles() as unknown as RoleObject[], ...roles.filter(cluster)],
    roleBindings: (ns) => bindings.filter((b) => b.metadata.namespace === ns),
    clusterRoleBindings: () => [...defaultClusterRoleBindings() as unknown as BindingObject[], ...bindings.filter(cluster)],
  };
}

const jane = { username: 'jane', groups: ['dev', 'system:authenticated'] };
const sa = { username: 'system:serviceaccount:team-a:reader', groups: ['system:serviceaccounts', 'system:authenticated'] };
const src = source(
  [
    { metadata: { name: 'pod-reader', namespace: 'team-a' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }] },
    { metadata: { name: 'one-cm', namespace: 'team-a' }, rules: [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }] },
    { metadata: { name: 'widget-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }] },
  ],
  [
    { metadata: { name: 'jane-pods', namespace: 'team-a' }, subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'Role', name: 'pod-reader' } },
    { metadata: { name: 'dev-cm', namespace: 'team-a' }, subjects: [{ kind: 'Group', name: 'dev' }], roleRef: { kind: 'Role', name: 'one-cm' } },
    { metadata: { name: 'sa-view', namespace: 'team-a' }, subjects: [{ kind: 'ServiceAccount', name: 'reader' }], roleRef: { kind: 'ClusterRole', name: 'view' } },
  ],
);
const union = unionAuthorizer([(a) => rbacDecide(src, a)]);
// Not allowed is a denial for the request, whatever the union's own word (no-opinion, as Kubernetes').
const decide = (a: AuthzAttributes) => ({ decision: union(a).decision === 'allow' ? 'allow' : 'deny' });
const ask = (user: typeof jane, verb: string, resource: string, namespace?: string, extra: Partial<AuthzAttributes> = {}) =>
  decide({ user, verb, resourceRequest: true, group: '', resource, namespace, ...extra }).decision;

test('RBAC matrix: user × verb × resource × namespace', () => {
  const cases: [typeof jane, string, string, string | undefined, Partial<AuthzAttributes>, string][] = [
    [jane, 'list', 'pods', 'team-a', {}, 'allow'],
    [jane, 'get', 'pods', 'team-a', { subresource: 'log', name: 'web' }, 'allow'],
    [jane, 'delete', 'pods', 'team-a', {}, 'deny'],
    [jane, 'list', 'pods', 'team-b', {}, 'deny'],
    [jane, 'list', 'pods', undefined, {}, 'deny'],
    [jane, 'get', 'pods', 'team-a', { subresource: 'exec' }, 'deny'],
    [jane, 'get', 'configmaps', 'team-a', { name: 'app-config' }, 'allow'],
    [jane, 'get', 'configmaps', 'team-a', { name: 'other' }, 'deny'],
    [jane, 'list', 'configmaps', 'team-a', {}, 'deny'],
    [sa, 'list', 'pods', 'team-a', {}, 'allow'],
    [sa, 'list', 'pods', 'default', {}, 'deny'],
    [sa, 'get', 'secrets', 'team-a', {}, 'deny'],
    [sa, 'create', 'pods', 'team-a', {}, 'deny'],
    [{ username: 'root', groups: ['system:masters'] }, 'delete', 'nodes', undefined, {}, 'allow'],
    [{ username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }, 'update', 'nodes', undefined, { subresource: 'status', name: 'n1' }, 'allow'],
    [{ username: 'system:kube-scheduler', groups: ['system:authenticated'] }, 'create', 'pods', 'x', { subresource: 'binding' }, 'allow'],
    [{ username: 'system:kube-scheduler', groups: ['system:authenticated'] }, 'delete', 'nodes', undefined, {}, 'deny'],
  ];
  for (const [user, verb, resource, ns, extra, want] of cases) {
    assert.equal(ask(user, verb, resource, ns, extra), want, `${user.username} ${verb} ${resource}${extra.subresource ? '/' + extra.subresource : ''} ns=${ns}`);
  }
});

test('aggregation: view gains rules from roles labelled aggregate-to-view; edit includes view', () => {
  assert.equal(ask(sa, 'get', 'widgets', 'team-a', { group: 'example.com' }), 'allow');
  const all = src.clusterRoles();
  const edit = clusterRoleRules(all.find((r) => r.metadata.name === 'edit')!, all);
  assert.ok(edit.some((r) => r.resources?.includes('secrets') && r.verbs.includes('create')));
  assert.ok(edit.some((r) => r.resources?.includes('limitranges')), 'edit aggregates view');
  const admin = clusterRoleRules(all.find((r) => r.metadata.name === 'admin')!, all);
  assert.ok(admin.some((r) => r.resources?.includes('rolebindings')) && admin.some((r) => r.resources?.includes('secrets')), 'admin aggregates edit');
  assert.ok(!admin.some((r) => r.resources?.includes('nodes')), 'admin holds no cluster-scoped node rights');
});

test('non-resource URLs: discovery and healthz for everyone, /metrics for nobody but admins', () => {
  const anon = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const path = (user: typeof jane, p: string) => decide({ user, verb: 'get', resourceRequest: false, path: p }).decision;
  assert.equal(path(jane, '/apis/apps/v1'), 'allow');
  assert.equal(path(jane, '/metrics'), 'deny');
  assert.equal(path(anon, '/healthz'), 'allow');
  assert.equal(path(anon, '/api'), 'allow');
  assert.equal(path(anon, '/metrics'), 'deny');
});

test('escalation: rules not held are reported; held ones (wildcards included) are not', () => {
  const want = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];
  assert.deepEqual(uncoveredRules(src, jane, 'team-a', want), []);
  assert.equal(uncoveredRules(src, jane, 'team-b', want).length, 1);
  assert.equal(uncoveredRules(src, jane, 'team-a', [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]).length, 1);
  assert.equal(uncoveredRules(src, jane, 'team-a', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }]).length, 0);
  assert.equal(uncoveredRules(src, jane, 'team-a', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]).length, 1);
  const admin = { username: 'boss', groups: ['system:masters'] };
  const srcAdmin = source([], [{ metadata: { name: 'b' }, subjects: [{ kind: 'User', name: 'boss' }], roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }]);
  assert.deepEqual(uncoveredRules(srcAdmin, admin, 'x', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]), []);
});
