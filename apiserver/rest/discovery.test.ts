import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceDef } from '../registry/types.js';
import { aggregatedDiscovery, apiGroupList, apiResourceList } from './discovery.js';
import { checkBody } from './resource-handler.js';

const pods: ResourceDef = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', listKind: 'PodList', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log'], verbs: ['create', 'get', 'list'] };
const deployments: ResourceDef = { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', listKind: 'DeploymentList', singular: 'deployment', namespaced: true, subresources: ['scale', 'status'], verbs: ['get'] };
const nodes: ResourceDef = { group: '', version: 'v1', resource: 'nodes', kind: 'Node', listKind: 'NodeList', singular: 'node', namespaced: false, verbs: ['get'] };
const defs = [pods, deployments, nodes];

test('APIResourceList lists resources and their subresources with kinds and verbs', () => {
  const doc = apiResourceList(defs, '', 'v1') as { groupVersion: string; resources: Record<string, unknown>[] };
  assert.equal(doc.groupVersion, 'v1');
  const byName = new Map(doc.resources.map((r) => [r.name, r]));
  assert.deepEqual(byName.get('pods'), { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'get', 'list'], shortNames: ['po'], categories: ['all'] });
  assert.equal(byName.get('pods/eviction')?.group, 'policy');
  assert.equal(byName.get('pods/binding')?.kind, 'Binding');
  assert.equal(byName.get('nodes')?.namespaced, false);
  assert.equal(apiResourceList(defs, 'batch', 'v1'), undefined);
  const scale = (apiResourceList(defs, 'apps', 'v1') as { resources: Record<string, unknown>[] }).resources.find((r) => r.name === 'deployments/scale');
  assert.deepEqual([scale?.kind, scale?.group, scale?.version], ['Scale', 'autoscaling', 'v1']);
});

test('group list excludes core; aggregated discovery splits core from groups', () => {
  assert.deepEqual((apiGroupList(defs) as { groups: { name: string }[] }).groups.map((g) => g.name), ['apps']);
  const core = aggregatedDiscovery(defs, true, 'v2') as { apiVersion: string; items: { metadata: { name: string }; versions: { resources: { resource: string; scope: string }[] }[] }[] };
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(core.items.map((i) => i.metadata.name), ['']);
  assert.deepEqual(core.items[0].versions[0].resources.map((r) => `${r.resource}:${r.scope}`), ['pods:Namespaced', 'nodes:Cluster']);
  const groups = aggregatedDiscovery(defs, false, 'v2beta1') as { items: { metadata: { name: string } }[] };
  assert.deepEqual(groups.items.map((i) => i.metadata.name), ['apps']);
});

test('bodies must match the URL: kind, apiVersion, namespace, name', () => {
  const code = (fn: () => unknown) => { try { fn(); return 'ok'; } catch (e) { return (e as { code: string }).code; } };
  const filled = checkBody({ metadata: { name: 'x' } }, pods, undefined, 'd', undefined);
  assert.deepEqual([filled.apiVersion, filled.kind, filled.metadata?.namespace], ['v1', 'Pod', 'd']);
  assert.equal(code(() => checkBody({ apiVersion: 'apps/v1', kind: 'Pod' }, pods, undefined, 'd', undefined)), 'BadRequest');
  assert.equal(code(() => checkBody({ apiVersion: 'v1', kind: 'Service' }, pods, undefined, 'd', undefined)), 'BadRequest');
  assert.equal(code(() => checkBody({ metadata: { namespace: 'other' } }, pods, undefined, 'd', undefined)), 'BadRequest');
  assert.equal(code(() => checkBody({ metadata: { name: 'y' } }, pods, undefined, 'd', 'x')), 'BadRequest');
  assert.equal(code(() => checkBody({ metadata: 'x' }, pods, undefined, 'd', undefined)), 'BadRequest');
  assert.equal(code(() => checkBody({ apiVersion: 'v1', kind: 'Binding', target: { name: 'n1' } }, pods, 'binding', 'd', 'x')), 'ok');
  assert.equal(code(() => checkBody({ apiVersion: 'policy/v1', kind: 'Eviction' }, pods, 'eviction', 'd', 'x')), 'ok');
  assert.equal(code(() => checkBody({ apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { replicas: 2 } }, deployments, 'scale', 'd', 'x')), 'ok');
  assert.equal(code(() => checkBody({ apiVersion: 'apps/v1', kind: 'Scale' }, deployments, 'scale', 'd', 'x')), 'BadRequest');
});
