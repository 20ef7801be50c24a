import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry(); });
after(async () => { await t?.stop(); });

const pod = (name: string, nodeName?: string): KObject => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeName ? { nodeName } : {}) } });
const cm = (name: string, finalizers?: string[]): KObject => ({ metadata: { name, ...(finalizers ? { finalizers } : {}) }, data: {} });

test('a bound pod is deleted gracefully; the final delete with grace 0 removes it', async () => {
  await t.reg.create(ctx, R.pods, 'default', pod('graceful', 'node-1'));
  const marked = await t.reg.delete(ctx, R.pods, 'default', 'graceful', {});
  assert.ok(marked.metadata!.deletionTimestamp);
  assert.equal(marked.metadata!.deletionGracePeriodSeconds, 30);
  const got = await t.reg.get(ctx, R.pods, 'default', 'graceful');
  assert.equal(got.metadata!.deletionGracePeriodSeconds, 30);
  const shorter = await t.reg.delete(ctx, R.pods, 'default', 'graceful', { gracePeriodSeconds: 5 });
  assert.equal(shorter.metadata!.deletionGracePeriodSeconds, 5);
  await t.reg.delete(ctx, R.pods, 'default', 'graceful', { gracePeriodSeconds: 0 });
  await expectApiError(t.reg.get(ctx, R.pods, 'default', 'graceful'), 'NotFound');
});

test('an unbound pod and other kinds are deleted at once', async () => {
  await t.reg.create(ctx, R.pods, 'default', pod('unbound'));
  const gone = await t.reg.delete(ctx, R.pods, 'default', 'unbound', {});
  assert.equal(gone.metadata!.name, 'unbound');
  await expectApiError(t.reg.get(ctx, R.pods, 'default', 'unbound'), 'NotFound');
  await t.reg.create(ctx, R.configmaps, 'default', cm('plain'));
  await t.reg.delete(ctx, R.configmaps, 'default', 'plain', {});
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'plain'), 'NotFound');
  await expectApiError(t.reg.delete(ctx, R.configmaps, 'default', 'plain', {}), 'NotFound');
});

test('finalizers hold the object until the last one is removed by an update', async () => {
  await t.reg.create(ctx, R.configmaps, 'default', cm('held', ['example.com/a', 'example.com/b']));
  const marked = await t.reg.delete(ctx, R.configmaps, 'default', 'held', {});
  assert.ok(marked.metadata!.deletionTimestamp);
  let cur = await t.reg.get(ctx, R.configmaps, 'default', 'held');
  assert.deepEqual(cur.metadata!.finalizers, ['example.com/a', 'example.com/b']);
  await expectApiError(t.reg.update(ctx, R.configmaps, 'default', 'held', { ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } }),
    'Invalid', /metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted/);
  cur = await t.reg.update(ctx, R.configmaps, 'default', 'held', { ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/b'] } });
  assert.ok(cur.metadata!.deletionTimestamp, 'deletionTimestamp survives updates');
  await t.reg.update(ctx, R.configmaps, 'default', 'held', { ...cur, metadata: { ...cur.metadata, finalizers: [] } });
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'held'), 'NotFound');
});

test('propagationPolicy adds the garbage collector finalizers', async () => {
  await t.reg.create(ctx, R.configmaps, 'default', cm('fg'));
  const fg = await t.reg.delete(ctx, R.configmaps, 'default', 'fg', { propagationPolicy: 'Foreground' });
  assert.deepEqual(fg.metadata!.finalizers, ['foregroundDeletion']);
  await t.reg.create(ctx, R.configmaps, 'default', cm('orph'));
  const or = await t.reg.delete(ctx, R.configmaps, 'default', 'orph', { propagationPolicy: 'Orphan' });
  assert.deepEqual(or.metadata!.finalizers, ['orphan']);
  assert.ok((await t.reg.get(ctx, R.configmaps, 'default', 'orph')).metadata!.deletionTimestamp);
  await expectApiError(t.reg.delete(ctx, R.configmaps, 'default', 'orph', { propagationPolicy: 'Sometimes' as never }), 'BadRequest');
});

test('delete preconditions on uid and resourceVersion', async () => {
  const o = await t.reg.create(ctx, R.configmaps, 'default', cm('pre'));
  await expectApiError(t.reg.delete(ctx, R.configmaps, 'default', 'pre', { preconditions: { uid: 'other' } }), 'Conflict', `Precondition failed: UID in precondition: other, UID in object meta: ${o.metadata!.uid}`);
  await expectApiError(t.reg.delete(ctx, R.configmaps, 'default', 'pre', { preconditions: { resourceVersion: '1' } }), 'Conflict', /Precondition failed: ResourceVersion in precondition: 1/);
  await t.reg.delete(ctx, R.configmaps, 'default', 'pre', { preconditions: { uid: o.metadata!.uid, resourceVersion: o.metadata!.resourceVersion } });
  await expectApiError(t.reg.get(ctx, R.configmaps, 'default', 'pre'), 'NotFound');
});

test('eviction deletes the pod, gracefully when bound', async () => {
  await t.reg.create(ctx, R.pods, 'default', pod('evictme', 'node-1'));
  const st = await t.reg.create(ctx, R.pods, 'default', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictme' } } as KObject, 'eviction', 'evictme');
  assert.equal(st.status, 'Success');
  const p = await t.reg.get(ctx, R.pods, 'default', 'evictme');
  assert.ok(p.metadata!.deletionTimestamp);
  await t.reg.create(ctx, R.pods, 'default', { kind: 'Eviction', metadata: { name: 'evictme' }, deleteOptions: { gracePeriodSeconds: 0 } } as KObject, 'eviction', 'evictme');
  await expectApiError(t.reg.get(ctx, R.pods, 'default', 'evictme'), 'NotFound');
});

test('system namespaces exist, cannot be deleted; creates need an Active namespace', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    const n = await t.reg.get(ctx, R.namespaces, undefined, ns);
    assert.equal((n.status as { phase: string }).phase, 'Active');
  }
  await expectApiError(t.reg.delete(ctx, R.namespaces, undefined, 'kube-system', {}), 'Forbidden', 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
  await expectApiError(t.reg.create(ctx, R.configmaps, 'missing-ns', cm('x')), 'NotFound', 'namespaces "missing-ns" not found');
});

test('namespace delete: Terminating with the kubernetes finalizer, no new content, removed after finalize', async () => {
  const ns = await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'doomed' } });
  assert.deepEqual((ns.spec as { finalizers: string[] }).finalizers, ['kubernetes']);
  await t.reg.create(ctx, R.configmaps, 'doomed', cm('inside'));
  const term = await t.reg.delete(ctx, R.namespaces, undefined, 'doomed', {});
  assert.equal((term.status as { phase: string }).phase, 'Terminating');
  assert.ok(term.metadata!.deletionTimestamp);
  await expectApiError(t.reg.create(ctx, R.configmaps, 'doomed', cm('late')), 'Forbidden',
    'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  // What the namespace controller does: empty the namespace, clear spec.finalizers, delete again.
  await t.reg.deleteCollection(ctx, R.configmaps, 'doomed', {}, {});
  const cur = await t.reg.get(ctx, R.namespaces, undefined, 'doomed');
  await t.reg.update(ctx, R.namespaces, undefined, 'doomed', { ...cur, spec: { finalizers: [] } }, 'finalize');
  await t.reg.delete(ctx, R.namespaces, undefined, 'doomed', {});
  await expectApiError(t.reg.get(ctx, R.namespaces, undefined, 'doomed'), 'NotFound');
});

test('deleteCollection deletes what the selector matches', async () => {
  await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'dc-a', labels: { tier: 'x' } }, data: {} });
  await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'dc-b', labels: { tier: 'x' } }, data: {} });
  await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'dc-c', labels: { tier: 'y' } }, data: {} });
  const res = await t.reg.deleteCollection(ctx, R.configmaps, 'default', { labelSelector: 'tier=x' }, {});
  assert.deepEqual(res.items.map((i) => i.metadata!.name).sort(), ['dc-a', 'dc-b']);
  const left = await t.reg.list(ctx, R.configmaps, 'default', { labelSelector: 'tier' });
  assert.deepEqual(left.items.map((i) => i.metadata!.name), ['dc-c']);
});

test('eviction honours PodDisruptionBudgets (429 when it would go below minAvailable)', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'pdb' } });
  const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  for (const n of ['w1', 'w2']) {
    await t.reg.create(ctx, R.pods, 'pdb', { metadata: { name: n, labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'node-1' } });
    const p = await t.reg.get(ctx, R.pods, 'pdb', n);
    await t.reg.update(ctx, R.pods, 'pdb', n, { ...p, status: ready }, 'status');
  }
  await t.reg.create(ctx, { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' }, 'pdb', { metadata: { name: 'w-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'w' } } } });
  const evict = (n: string) => t.reg.create(ctx, R.pods, 'pdb', { kind: 'Eviction', metadata: { name: n }, deleteOptions: { gracePeriodSeconds: 0 } } as KObject, 'eviction', n);
  await evict('w1');
  const err = await expectApiError(evict('w2'), 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.equal(err.details?.causes?.[0].message, 'The disruption budget w-pdb needs 1 healthy pods and has 1 currently');
  assert.ok(await t.reg.get(ctx, R.pods, 'pdb', 'w2'));
});

test('every namespace gets a default ServiceAccount', async () => {
  const sa = { group: '', version: 'v1', resource: 'serviceaccounts' };
  assert.equal((await t.reg.get(ctx, sa, 'kube-system', 'default')).kind, 'ServiceAccount');
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'with-sa' } });
  assert.ok((await t.reg.get(ctx, sa, 'with-sa', 'default')).metadata!.uid);
  await t.reg.create({ ...ctx, dryRun: true }, R.namespaces, undefined, { metadata: { name: 'dry-sa' } });
  await expectApiError(t.reg.get(ctx, sa, 'dry-sa', 'default'), 'NotFound');
});
