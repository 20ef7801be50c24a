import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { waitFor } from '../../lib/testing/wait.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry(); });
after(async () => { await t?.stop(); });

const quotas = { group: '', version: 'v1', resource: 'resourcequotas' };
const pod = (name: string): KObject => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
const ns = (name: string) => t.reg.create(ctx, R.namespaces, undefined, { metadata: { name } });

test('a quota is enforced on the very next creates (read-your-writes, no wait for the watch cache)', async () => {
  await ns('ryw-quota');
  await t.reg.create(ctx, quotas, 'ryw-quota', { metadata: { name: 'three' }, spec: { hard: { pods: '3' } } });
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => t.reg.create(ctx, R.pods, 'ryw-quota', pod(`p${i}`))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  assert.equal((await t.reg.list(ctx, R.pods, 'ryw-quota', {})).items.length, 3);
});

test('a namespace set Terminating refuses the very next create', async () => {
  await ns('ryw-term');
  await t.reg.delete(ctx, R.namespaces, undefined, 'ryw-term', {});
  await expectApiError(t.reg.create(ctx, R.pods, 'ryw-term', pod('late')), 'Forbidden', /because it is being terminated/);
});

test('writes by another apiserver: a namespace missing from the cache is read from etcd; Terminating is seen once it reaches the cache', async () => {
  // Written straight to etcd, as a second apiserver sharing this etcd would.
  const key = '/registry/namespaces/elsewhere';
  await t.client.put(key).value(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere', uid: 'u-1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }));
  const created = await t.reg.create(ctx, R.configmaps, 'elsewhere', { metadata: { name: 'first' }, data: {} });
  assert.equal(created.metadata?.namespace, 'elsewhere');
  await t.client.put(key).value(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere', uid: 'u-1', deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } }));
  let n = 0;
  await waitFor('the Terminating phase refuses creates', async () => {
    try {
      await t.reg.create(ctx, R.configmaps, 'elsewhere', { metadata: { name: `later-${n++}` }, data: {} });
      return false;
    } catch (err) {
      return /being terminated/.test(String((err as Error).message));
    }
  }, { timeoutMs: 10_000 });
  await expectApiError(t.reg.create(ctx, R.pods, 'nowhere-at-all', pod('x')), 'NotFound', 'namespaces "nowhere-at-all" not found');
});

test('cachedNamespace serves the namespace with its labels (PodSecurity reads them)', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'ryw-labels', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  const got = await t.reg.cachedNamespace('ryw-labels');
  assert.equal(got?.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  assert.equal(await t.reg.cachedNamespace('ryw-missing'), undefined);
});

test('a watch cache answers waitForRevision: at once when current, false after the timeout for a revision it never sees', async () => {
  const cache = t.reg.watchCache(t.reg.lookup('', 'configmaps')!);
  await cache.start();
  const created = await t.reg.create(ctx, R.configmaps, 'default', { metadata: { name: 'rev' }, data: {} });
  assert.equal(await cache.waitForRevision(Number(created.metadata!.resourceVersion), 5000), true);
  assert.ok(cache.revision >= Number(created.metadata!.resourceVersion));
  const started = Date.now();
  assert.equal(await cache.waitForRevision(cache.revision + 1_000_000, 100), false);
  assert.ok(Date.now() - started >= 90);
});
