import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry(); });
after(async () => { await t?.stop(); });

const cm = (name: string, data: Record<string, string> = { a: '1' }): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const deploy = (name: string, replicas = 1): KObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

test('create fills metadata and stores JSON under the Kubernetes key; get returns it', async () => {
  const created = await t.reg.create(ctx, R.configmaps, 'default', cm('crud'));
  const m = created.metadata!;
  assert.match(m.uid!, /^[0-9a-f-]{36}$/);
  assert.match(m.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(m.namespace, 'default');
  assert.equal(created.kind, 'ConfigMap');
  const raw = JSON.parse((await t.client.get('/registry/configmaps/default/crud').string())!);
  assert.equal(raw.data.a, '1');
  assert.equal(raw.metadata.resourceVersion, undefined, 'resourceVersion is the mod revision, never stored');
  const got = await t.reg.get(ctx, R.configmaps, 'default', 'crud');
  assert.equal(got.metadata!.resourceVersion, m.resourceVersion);
  const rev = (await t.client.get('/registry/configmaps/default/crud').exec()).kvs[0].mod_revision;
  assert.equal(m.resourceVersion, String(rev));
});

test('create of an existing name is AlreadyExists; get of a missing one NotFound', async () => {
  await t.reg.create(ctx, R.configmaps, 'default', cm('dup'));
  await expectApiError(t.reg.create(ctx, R.configmaps, 'default', cm('dup')), 'AlreadyExists', 'configmaps "dup" already exists');
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'nope'), 'NotFound', 'configmaps "nope" not found');
});

test('update with a stale resourceVersion is a Conflict; without one it is unconditional', async () => {
  const v1 = await t.reg.create(ctx, R.configmaps, 'default', cm('conf'));
  const v2 = await t.reg.update(ctx, R.configmaps, 'default', 'conf', { ...v1, data: { a: '2' } });
  assert.notEqual(v2.metadata!.resourceVersion, v1.metadata!.resourceVersion);
  await expectApiError(t.reg.update(ctx, R.configmaps, 'default', 'conf', { ...v1, data: { a: '3' } }), 'Conflict',
    'Operation cannot be fulfilled on configmaps "conf": the object has been modified; please apply your changes to the latest version and try again');
  const { resourceVersion: _rv, ...meta } = v1.metadata!;
  const v3 = await t.reg.update(ctx, R.configmaps, 'default', 'conf', { ...v1, metadata: meta, data: { a: '4' } });
  assert.equal((v3.data as Record<string, string>).a, '4');
  assert.equal(v3.metadata!.uid, v1.metadata!.uid, 'uid carried over');
  assert.equal(v3.metadata!.creationTimestamp, v1.metadata!.creationTimestamp);
});

test('a no-op update keeps the resourceVersion (nothing written)', async () => {
  const v1 = await t.reg.create(ctx, R.configmaps, 'default', cm('noop'));
  const v2 = await t.reg.update(ctx, R.configmaps, 'default', 'noop', structuredClone(v1));
  assert.equal(v2.metadata!.resourceVersion, v1.metadata!.resourceVersion);
});

test('namespace and name in the body must match the request', async () => {
  await expectApiError(t.reg.create(ctx, R.configmaps, 'default', { ...cm('x'), metadata: { name: 'x', namespace: 'kube-system' } }), 'BadRequest',
    'the namespace of the provided object does not match the namespace sent on the request');
  const v = await t.reg.create(ctx, R.configmaps, 'default', cm('named'));
  await expectApiError(t.reg.update(ctx, R.configmaps, 'default', 'named', { ...v, metadata: { ...v.metadata, name: 'other' } }), 'BadRequest', /does not match the name on the URL/);
  await expectApiError(t.reg.create(ctx, R.configmaps, 'default', cm('Bad_Name')), 'Invalid', /metadata.name: Invalid value: "Bad_Name"/);
  await expectApiError(t.reg.create(ctx, R.configmaps, 'default', { kind: 'Secret', metadata: { name: 'k' } }), 'BadRequest', /kind/);
  await expectApiError(t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'rv', resourceVersion: '5' } }), 'BadRequest', 'resourceVersion should not be set on objects to be created');
});

test('uid and creationTimestamp cannot be changed by an update', async () => {
  const v = await t.reg.create(ctx, R.configmaps, 'default', cm('immut'));
  await expectApiError(t.reg.update(ctx, R.configmaps, 'default', 'immut', { ...v, metadata: { ...v.metadata, uid: '00000000-0000-0000-0000-000000000000' } }), 'Invalid', /metadata.uid/);
  const u = await t.reg.update(ctx, R.configmaps, 'default', 'immut', { ...v, metadata: { ...v.metadata, creationTimestamp: '2000-01-01T00:00:00Z' }, data: { a: 'z' } });
  assert.equal(u.metadata!.creationTimestamp, v.metadata!.creationTimestamp);
});

test('generation starts at 1 and is bumped by spec changes only', async () => {
  const d1 = await t.reg.create(ctx, R.deployments, 'default', deploy('gen'));
  assert.equal(d1.metadata!.generation, 1);
  const d2 = await t.reg.update(ctx, R.deployments, 'default', 'gen', { ...d1, metadata: { ...d1.metadata, labels: { x: 'y' } } });
  assert.equal(d2.metadata!.generation, 1, 'metadata change keeps generation');
  const d3 = await t.reg.update(ctx, R.deployments, 'default', 'gen', { ...d2, status: { replicas: 5 } });
  assert.equal(d3.metadata!.generation, 1, 'status is ignored on the main resource');
  assert.equal((d3.status as { replicas?: number } | undefined)?.replicas, undefined);
  const d4 = await t.reg.update(ctx, R.deployments, 'default', 'gen', { ...d3, spec: { ...(d3.spec as object), replicas: 3 } });
  assert.equal(d4.metadata!.generation, 2);
  const d5 = await t.reg.update(ctx, R.deployments, 'default', 'gen', { ...d4, spec: { ...(d4.spec as object), replicas: 7 }, status: { replicas: 2 } }, 'status');
  assert.equal((d5.spec as { replicas: number }).replicas, 3, 'status subresource ignores spec');
  assert.equal((d5.status as { replicas: number }).replicas, 2);
  assert.equal(d5.metadata!.generation, 2);
});

test('generateName makes a name from the prefix and 5 safe characters', async () => {
  const names = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const o = await t.reg.create(ctx, R.configmaps, 'default', { metadata: { generateName: 'web-' }, data: {} });
    assert.match(o.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    names.add(o.metadata!.name!);
  }
  assert.equal(names.size, 5);
});

test('dryRun runs validation but writes nothing', async () => {
  const dry = { ...ctx, dryRun: true };
  const before = (await t.client.getAll().prefix('/registry/').keys()).length;
  const o = await t.reg.create(dry, R.configmaps, 'default', cm('dry'));
  assert.equal(o.metadata!.name, 'dry');
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'dry'), 'NotFound');
  await expectApiError(t.reg.create(dry, R.configmaps, 'default', cm('Bad_Dry')), 'Invalid');
  const real = await t.reg.create(ctx, R.configmaps, 'default', cm('dry2'));
  await t.reg.update(dry, R.configmaps, 'default', 'dry2', { ...real, data: { a: 'changed' } });
  await t.reg.delete(dry, R.configmaps, 'default', 'dry2', {});
  const still = await t.reg.get(ctx, R.configmaps, 'default', 'dry2');
  assert.equal((still.data as Record<string, string>).a, '1');
  assert.equal(still.metadata!.resourceVersion, real.metadata!.resourceVersion);
  assert.equal((await t.client.getAll().prefix('/registry/').keys()).length, before + 1);
});

test('scale subresource reads and writes spec.replicas as autoscaling/v1 Scale', async () => {
  await t.reg.create(ctx, R.deployments, 'default', deploy('scaled', 2));
  const s = await t.reg.get(ctx, R.deployments, 'default', 'scaled', 'scale');
  assert.equal(s.kind, 'Scale');
  assert.equal(s.apiVersion, 'autoscaling/v1');
  assert.deepEqual(s.spec, { replicas: 2 });
  assert.deepEqual(s.status, { replicas: 0, selector: 'app=scaled' });
  const s2 = await t.reg.update(ctx, R.deployments, 'default', 'scaled', { ...s, spec: { replicas: 5 } }, 'scale');
  assert.equal((s2.spec as { replicas: number }).replicas, 5);
  const d = await t.reg.get(ctx, R.deployments, 'default', 'scaled');
  assert.equal((d.spec as { replicas: number }).replicas, 5);
  assert.equal(d.metadata!.generation, 2);
  await expectApiError(t.reg.update(ctx, R.deployments, 'default', 'scaled', { ...s, spec: { replicas: 9 } }, 'scale'), 'Conflict');
  const s3 = await t.reg.patch(ctx, R.deployments, 'default', 'scaled', 'merge', { spec: { replicas: 1 } }, {}, 'scale');
  assert.equal((s3.spec as { replicas: number }).replicas, 1);
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'crud', 'scale'), 'NotFound');
});

test('binding sets spec.nodeName once', async () => {
  await t.reg.create(ctx, R.pods, 'default', { metadata: { name: 'bindme' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const st = await t.reg.create(ctx, R.pods, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'node-1' } } as KObject, 'binding', 'bindme');
  assert.equal(st.status, 'Success');
  const p = await t.reg.get(ctx, R.pods, 'default', 'bindme');
  assert.equal((p.spec as { nodeName: string }).nodeName, 'node-1');
  await expectApiError(t.reg.create(ctx, R.pods, 'default', { kind: 'Binding', metadata: { name: 'bindme' }, target: { name: 'node-2' } } as KObject, 'binding', 'bindme'),
    'Conflict', 'pod bindme is already assigned to node "node-1"');
});

test('patch: merge and json patches through the registry, apply creates', async () => {
  await t.reg.create(ctx, R.configmaps, 'default', cm('patched'));
  const m = await t.reg.patch(ctx, R.configmaps, 'default', 'patched', 'merge', { data: { b: '2' } }, {});
  assert.deepEqual(m.data, { a: '1', b: '2' });
  const j = await t.reg.patch(ctx, R.configmaps, 'default', 'patched', 'json', [{ op: 'remove', path: '/data/a' }], {});
  assert.deepEqual(j.data, { b: '2' });
  await expectApiError(t.reg.patch(ctx, R.configmaps, 'default', 'missing', 'merge', { data: {} }, {}), 'NotFound');
  const a = await t.reg.patch(ctx, R.configmaps, 'default', 'applied', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: 'v' } }, { fieldManager: 'test' });
  assert.deepEqual(a.data, { k: 'v' });
  assert.ok(a.metadata!.uid);
});

test('unknown resources and subresources are NotFound', async () => {
  await expectApiError(t.reg.get(ctx, { group: '', version: 'v1', resource: 'widgets' }, 'default', 'x'), 'NotFound', 'the server could not find the requested resource');
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'crud', 'status'), 'NotFound');
});

test('Events are stored with a TTL lease', async () => {
  await t.reg.create(ctx, R.events, 'default', { metadata: { name: 'ev1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm' });
  const kv = (await t.client.get('/registry/events/default/ev1').exec()).kvs[0];
  assert.notEqual(kv.lease, '0');
  const ttl = await t.client.leaseClient.leaseTimeToLive({ ID: kv.lease });
  assert.ok(Number(ttl.TTL) > 3500 && Number(ttl.TTL) <= 3780, `ttl ${ttl.TTL}`);
  await t.reg.create(ctx, R.events, 'default', { metadata: { name: 'ev2' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm' });
  const kv2 = (await t.client.get('/registry/events/default/ev2').exec()).kvs[0];
  assert.equal(kv2.lease, kv.lease, 'events written within the reuse window (5 % of the TTL) share one lease');
  const ev1 = await t.reg.get(ctx, R.events, 'default', 'ev1');
  await t.reg.update(ctx, R.events, 'default', 'ev1', { ...ev1, count: 2 });
  assert.notEqual((await t.client.get('/registry/events/default/ev1').exec()).kvs[0].lease, '0', 'an updated event keeps a TTL');
  const cmKv = (await t.client.get('/registry/configmaps/default/crud').exec()).kvs[0];
  assert.equal(cmKv.lease, '0');
});

test('a fieldManager records managedFields on create and update', async () => {
  const fm = { ...ctx, fieldManager: 'kubectl-create' };
  const o = await t.reg.create(fm, R.configmaps, 'default', cm('owned'));
  const mf = o.metadata!.managedFields as { manager: string; operation: string }[];
  assert.equal(mf[0].manager, 'kubectl-create');
  assert.equal(mf[0].operation, 'Update');
  const u = await t.reg.update({ ...ctx, fieldManager: 'kubectl-edit' }, R.configmaps, 'default', 'owned', { ...o, data: { a: '1', b: '2' } });
  assert.deepEqual((u.metadata!.managedFields as { manager: string }[]).map((e) => e.manager).sort(), ['kubectl-create', 'kubectl-edit']);
});

test('PUT of a missing object is NotFound, except for kinds that create on update (endpoints)', async () => {
  await expectApiError(t.reg.update(ctx, R.configmaps, 'default', 'absent', cm('absent')), 'NotFound', 'configmaps "absent" not found');
  const ep = await t.reg.update(ctx, { group: '', version: 'v1', resource: 'endpoints' }, 'default', 'upsert', { metadata: { name: 'upsert' }, subsets: [] });
  assert.ok(ep.metadata!.uid);
  assert.equal(ep.kind, 'Endpoints');
});
