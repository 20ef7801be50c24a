import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources, behaviourKey } from './index.js';
import { KIND_BEHAVIOURS } from './kinds/all.js';

const defs = builtinResources();
const find = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource);

test('every required kind is served with its identity', () => {
  const want: [string, string, string, string[]][] = [
    ['', 'namespaces', 'Namespace', ['ns']], ['', 'nodes', 'Node', ['no']], ['', 'pods', 'Pod', ['po']],
    ['', 'services', 'Service', ['svc']], ['', 'endpoints', 'Endpoints', ['ep']], ['', 'configmaps', 'ConfigMap', ['cm']],
    ['', 'secrets', 'Secret', []], ['', 'serviceaccounts', 'ServiceAccount', ['sa']], ['', 'events', 'Event', ['ev']],
    ['', 'replicationcontrollers', 'ReplicationController', ['rc']], ['', 'persistentvolumes', 'PersistentVolume', ['pv']],
    ['', 'persistentvolumeclaims', 'PersistentVolumeClaim', ['pvc']], ['', 'resourcequotas', 'ResourceQuota', ['quota']],
    ['', 'limitranges', 'LimitRange', ['limits']],
    ['apps', 'deployments', 'Deployment', ['deploy']], ['apps', 'replicasets', 'ReplicaSet', ['rs']],
    ['apps', 'statefulsets', 'StatefulSet', ['sts']], ['apps', 'daemonsets', 'DaemonSet', ['ds']],
    ['apps', 'controllerrevisions', 'ControllerRevision', []], ['batch', 'jobs', 'Job', []], ['batch', 'cronjobs', 'CronJob', ['cj']],
    ['coordination.k8s.io', 'leases', 'Lease', []], ['events.k8s.io', 'events', 'Event', ['ev']],
    ['rbac.authorization.k8s.io', 'roles', 'Role', []], ['rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', []],
    ['rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', []], ['rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', []],
    ['storage.k8s.io', 'storageclasses', 'StorageClass', ['sc']], ['networking.k8s.io', 'ingresses', 'Ingress', ['ing']],
    ['networking.k8s.io', 'ingressclasses', 'IngressClass', []], ['discovery.k8s.io', 'endpointslices', 'EndpointSlice', []],
    ['autoscaling', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', ['hpa']], ['policy', 'poddisruptionbudgets', 'PodDisruptionBudget', ['pdb']],
    ['scheduling.k8s.io', 'priorityclasses', 'PriorityClass', ['pc']],
  ];
  for (const [group, resource, kind, shortNames] of want) {
    const d = find(group, resource);
    assert.ok(d, `${resource}.${group} missing`);
    assert.equal(d.kind, kind);
    assert.equal(d.listKind, `${kind}List`);
    assert.equal(d.singular, kind.toLowerCase());
    assert.deepEqual(d.shortNames, shortNames, `${resource} short names`);
  }
});

test('namespaced flag matches Kubernetes', () => {
  for (const r of ['namespaces', 'nodes', 'persistentvolumes']) assert.equal(find('', r)!.namespaced, false, r);
  for (const r of ['clusterroles', 'clusterrolebindings']) assert.equal(find('rbac.authorization.k8s.io', r)!.namespaced, false, r);
  assert.equal(find('storage.k8s.io', 'storageclasses')!.namespaced, false);
  assert.equal(find('scheduling.k8s.io', 'priorityclasses')!.namespaced, false);
  for (const r of ['pods', 'services', 'configmaps', 'events']) assert.equal(find('', r)!.namespaced, true, r);
});

test('category all holds exactly the kinds kubectl get all shows', () => {
  const all = defs.filter((d) => d.categories?.includes('all')).map((d) => d.resource).sort();
  assert.deepEqual(all, ['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
});

test('subresources and verbs', () => {
  for (const s of ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward']) assert.ok(find('', 'pods')!.subresources!.includes(s), s);
  for (const [g, r] of [['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['', 'replicationcontrollers']]) {
    assert.deepEqual(find(g, r)!.subresources, ['status', 'scale'], r);
  }
  assert.ok(!find('', 'namespaces')!.verbs.includes('deletecollection'));
  assert.ok(find('', 'pods')!.verbs.includes('watch'));
});

test('every resource has one definition per version and validators and a table', () => {
  const keys = defs.map((d) => `${d.resource}.${d.version}.${d.group}`);
  assert.equal(new Set(keys).size, keys.length);
  for (const d of defs) {
    assert.ok(d.validateCreate && d.validateUpdate && d.tableColumns && d.tableRow, d.resource);
    // Events are the one table that starts with LAST SEEN (the name is a wide column).
    const first = d.resource === 'events' ? 'Last Seen' : 'Name';
    assert.equal(d.tableColumns![0].name, first, `${d.resource} first column`);
    assert.ok(d.tableColumns!.some((c) => c.format === 'name'), `${d.resource} has a name column`);
  }
});

test('every behaviour key names a served resource', () => {
  const served = new Set(defs.map((d) => behaviourKey(d.group, d.resource)));
  for (const k of Object.keys(KIND_BEHAVIOURS)) assert.ok(served.has(k), `behaviour for unknown resource ${k}`);
});

test('default table and ObjectMeta validation for a kind without a printer', () => {
  const cr = find('rbac.authorization.k8s.io', 'clusterroles')!;
  assert.deepEqual(cr.tableColumns!.map((c) => c.name), ['Name', 'Created At']);
  assert.deepEqual(cr.tableRow!({ metadata: { name: 'admin', creationTimestamp: '2026-01-01T00:00:00Z' } }, new Date()), ['admin', '2026-01-01T00:00:00Z']);
  const errs = find('', 'configmaps')!.validateCreate!({ metadata: { name: 'Bad_Name', namespace: 'default' } });
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'metadata.name');
  assert.match(errs[0].message, /^a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is/);
  assert.deepEqual(find('', 'configmaps')!.validateCreate!({ metadata: { namespace: 'default' } }).map((e) => [e.field, e.type, e.message]), [['metadata.name', 'FieldValueRequired', 'name or generateName is required']]);
  assert.deepEqual(cr.validateCreate!({ metadata: { name: 'x', namespace: 'default' } }).map((e) => [e.field, e.type]), [['metadata.namespace', 'FieldValueForbidden']]);
});

test('finalizers must be standard or domain-qualified', () => {
  const cm = find('', 'configmaps')!;
  const errs = (finalizers: string[]) => cm.validateCreate!({ metadata: { name: 'c', namespace: 'default', finalizers } }).map((e) => `${e.field}|${e.type}|${e.message}`);
  assert.deepEqual(errs(['kubernetes', 'foregroundDeletion', 'orphan', 'example.com/cleanup']), []);
  assert.deepEqual(errs(['cleanup']), ['metadata.finalizers[0]|FieldValueInvalid|name is neither a standard finalizer name nor is it fully qualified']);
  assert.deepEqual(errs(['example.com/a', 'example.com/a']), ['metadata.finalizers[1]|FieldValueDuplicate|']);
});

test('status is cleared on create and kept on update for kinds with a status subresource', () => {
  const d = find('apps', 'deployments')!;
  const obj = { metadata: { name: 'a' }, spec: {}, status: { replicas: 3 } };
  d.prepareForCreate!(obj);
  assert.equal(obj.status, undefined);
  const upd = { metadata: { name: 'a' }, spec: {}, status: { replicas: 9 } };
  d.prepareForUpdate!(upd, { metadata: { name: 'a' }, status: { replicas: 1 } });
  assert.deepEqual(upd.status, { replicas: 1 });
});
