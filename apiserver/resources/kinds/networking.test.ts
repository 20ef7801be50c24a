import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;
const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2026-11-22T09:58:00Z' };
const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}|${e.message}`);
const path = (p: object) => ({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...p });

test('ingress validation', () => {
  const d = def('networking.k8s.io', 'ingresses');
  assert.deepEqual(d.validateCreate!({ metadata: meta, spec: { ingressClassName: 'nginx', rules: [{ host: 'foo.example.com', http: { paths: [path({})] } }] } }), []);
  assert.deepEqual(msgs(d.validateCreate!({ metadata: meta, spec: {} })), ['spec.rules|either `defaultBackend` or `rules` must be specified']);
  const bad = msgs(d.validateCreate!({ metadata: meta, spec: { rules: [{ host: '10.0.0.1', http: { paths: [path({ pathType: undefined }), path({ path: 'foo', pathType: 'Exact' }), path({ backend: { service: { name: 'web', port: {} } } })] } }] } }));
  assert.deepEqual(bad, [
    'spec.rules[0].host|must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].pathType|pathType must be specified',
    'spec.rules[0].http.paths[1].path|must be an absolute path',
    'spec.rules[0].http.paths[2].backend.service.port|port name or number is required',
  ]);
  assert.deepEqual(d.validateCreate!({ metadata: meta, spec: { rules: [{ host: '*.example.com', http: { paths: [path({})] } }] } }), [], 'wildcard hosts');
});

test('ingress table', () => {
  const d = def('networking.k8s.io', 'ingresses');
  const ing: KObject = { metadata: meta, spec: { ingressClassName: 'nginx', rules: [{ host: 'a.com' }, { host: 'b.com' }], tls: [{ hosts: ['a.com'] }] }, status: { loadBalancer: { ingress: [{ ip: '10.200.0.11' }] } } };
  assert.deepEqual(d.tableRow!(ing, now), ['web', 'nginx', 'a.com,b.com', '10.200.0.11', '80, 443', '2m']);
  assert.deepEqual(d.tableRow!({ metadata: meta, spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }] } }, now).slice(1, 5), ['<none>', 'a,b,c + 1 more...', '', '80']);
  assert.equal(d.tableRow!({ metadata: meta, spec: { defaultBackend: {} } }, now)[2], '*');
  assert.equal(d.tableRow!({ metadata: meta, spec: { rules: [{}, { host: 'a' }, { host: 'b' }, { host: 'c' }] } }, now)[2], 'a,b,c', 'hostless rules do not count toward the three');
  assert.equal(d.tableRow!({ metadata: meta, spec: {}, status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }] } } }, now)[3], '10.0.0.1,10.0.0.2');
});

test('ingress classes and network policies', () => {
  const ic = def('networking.k8s.io', 'ingressclasses');
  const cls: KObject = { metadata: { name: 'nginx', creationTimestamp: meta.creationTimestamp }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } };
  assert.deepEqual(ic.tableRow!(cls, now), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '2m']);
  assert.deepEqual(msgs(ic.validateUpdate!({ ...cls, spec: { controller: 'other' } }, cls)), ['spec.controller|field is immutable']);
  const np = def('networking.k8s.io', 'networkpolicies');
  const pol: KObject = { metadata: meta, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } };
  np.defaults!(pol);
  assert.deepEqual((pol.spec as { policyTypes: string[] }).policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(np.validateCreate!(pol), []);
  assert.deepEqual(np.tableRow!(pol, now), ['web', '<none>', '2m']);
  assert.equal(np.tableRow!({ metadata: meta, spec: { podSelector: { matchLabels: { role: 'db' } } } }, now)[1], 'role=db');
});

test('rbac: rules, bindings, immutable roleRef, tables', () => {
  const role = def('rbac.authorization.k8s.io', 'roles');
  assert.deepEqual(role.validateCreate!({ metadata: meta, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), []);
  assert.deepEqual(msgs(role.validateCreate!({ metadata: meta, rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] })), [
    'rules[0].verbs|verbs must contain at least one value', 'rules[0].apiGroups|resource rules must supply at least one api group', 'rules[1].nonResourceURLs|namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(role.validateCreate!({ metadata: { ...meta, name: 'system:controller:x' } }), [], 'RBAC names are path segments');
  const rb = def('rbac.authorization.k8s.io', 'rolebindings');
  const binding: KObject = { metadata: meta, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'app', namespace: 'default' }, { kind: 'Group', name: 'devs' }] };
  rb.defaults!(binding);
  assert.deepEqual(rb.validateCreate!(binding), []);
  assert.deepEqual(rb.tableRow!(binding, now), ['web', 'Role/reader', '2m', 'jane', 'devs', 'default/app']);
  assert.deepEqual(msgs(rb.validateUpdate!({ ...binding, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'writer' } }, binding)), ['roleRef|cannot change roleRef']);
  const crb = def('rbac.authorization.k8s.io', 'clusterrolebindings');
  assert.deepEqual(msgs(crb.validateCreate!({ metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'app' }] })), [
    'roleRef.kind|supported values: "ClusterRole"', 'subjects[0].namespace|',
  ]);
});
