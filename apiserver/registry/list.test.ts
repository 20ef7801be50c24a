import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/testing/wait.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => {
  t = await startTestRegistry();
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'pages' } });
  for (let i = 0; i < 10; i++) {
    await t.reg.create(ctx, R.configmaps, 'pages', { metadata: { name: `cm-${i}`, labels: { parity: i % 2 ? 'odd' : 'even' } }, data: {} });
  }
});
after(async () => { await t?.stop(); });

test('list carries the etcd header revision and the list kind', async () => {
  const l = await t.reg.list(ctx, R.configmaps, 'pages', {});
  assert.equal(l.kind, 'ConfigMapList');
  assert.equal(l.items.length, 10);
  const header = Number((await t.client.get('/registry/nothing').exec()).header.revision);
  assert.equal(l.metadata.resourceVersion, String(header));
  assert.equal(l.metadata.continue, undefined);
});

test('limit/continue pages through every item once, at the first page revision', async () => {
  const first = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 4 });
  assert.deepEqual(first.items.map((i) => i.metadata!.name), ['cm-0', 'cm-1', 'cm-2', 'cm-3']);
  assert.equal(first.metadata.remainingItemCount, 6);
  assert.ok(first.metadata.continue);
  // A change after the first page is not seen by later pages (same revision).
  await t.reg.create(ctx, R.configmaps, 'pages', { metadata: { name: 'cm-99' }, data: {} });
  const second = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 4, continue: first.metadata.continue });
  assert.deepEqual(second.items.map((i) => i.metadata!.name), ['cm-4', 'cm-5', 'cm-6', 'cm-7']);
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  const third = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 4, continue: second.metadata.continue });
  assert.deepEqual(third.items.map((i) => i.metadata!.name), ['cm-8', 'cm-9']);
  assert.equal(third.metadata.continue, undefined);
  await t.reg.delete(ctx, R.configmaps, 'pages', 'cm-99', {});
});

test('limit with a label selector fills pages with matching items only', async () => {
  const a = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 2, labelSelector: 'parity=odd' });
  assert.deepEqual(a.items.map((i) => i.metadata!.name), ['cm-1', 'cm-3']);
  assert.equal(a.metadata.remainingItemCount, undefined);
  const b = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 2, labelSelector: 'parity=odd', continue: a.metadata.continue });
  assert.deepEqual(b.items.map((i) => i.metadata!.name), ['cm-5', 'cm-7']);
  const c = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 2, labelSelector: 'parity=odd', continue: b.metadata.continue });
  assert.deepEqual(c.items.map((i) => i.metadata!.name), ['cm-9']);
  assert.equal(c.metadata.continue, undefined);
  const f = await t.reg.list(ctx, R.configmaps, undefined, { fieldSelector: 'metadata.namespace=pages,metadata.name=cm-4' });
  assert.deepEqual(f.items.map((i) => i.metadata!.name), ['cm-4']);
});

test('a bad continue token is 400; an expired one is 410 Gone', async () => {
  await expectApiError(t.reg.list(ctx, R.configmaps, 'pages', { limit: 2, continue: 'garbage!' }), 'BadRequest');
  const first = await t.reg.list(ctx, R.configmaps, 'pages', { limit: 2 });
  const cm = await t.reg.get(ctx, R.configmaps, 'pages', 'cm-0');
  const updated = await t.reg.update(ctx, R.configmaps, 'pages', 'cm-0', { ...cm, data: { changed: 'yes' } });
  await t.reg.store.compact(Number(updated.metadata!.resourceVersion));
  await expectApiError(t.reg.list(ctx, R.configmaps, 'pages', { limit: 2, continue: first.metadata.continue }), 'Gone', /^The provided continue parameter is too old/);
  await expectApiError(t.reg.list(ctx, R.configmaps, 'pages', { labelSelector: '!!bad' }), 'BadRequest');
});

test('resourceVersion=0 lists from the watch cache with selectors', async () => {
  // rv=0 may be a little stale by definition: wait until the cache has caught up with the writes.
  const l = await waitFor('cache caught up', async () => {
    const r = await t.reg.list(ctx, R.configmaps, 'pages', { resourceVersion: '0', labelSelector: 'parity=even' });
    return r.items.length === 5 ? r : undefined;
  });
  assert.deepEqual(l.items.map((i) => i.metadata!.name).sort(), ['cm-0', 'cm-2', 'cm-4', 'cm-6', 'cm-8']);
  assert.equal(l.kind, 'ConfigMapList');
  assert.ok(Number(l.metadata.resourceVersion) > 0);
  l.items[0].metadata!.labels!.parity = 'changed';
  const again = await t.reg.list(ctx, R.configmaps, 'pages', { resourceVersion: '0', labelSelector: 'parity=even' });
  assert.equal(again.items.length, 5, 'callers get copies, never the cached objects');
});
