import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { waitFor } from '../../lib/testing/wait.js';
import { expectApiError } from '../registry/testing.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { collectionKey, objectKey, prefixEnd } from './keys.js';
import { EtcdKv } from './etcd-kv.js';
import { EtcdStore } from './store.js';

let etcd: TestEtcd;
let client: Etcd3;
let kv: EtcdKv;
let store: EtcdStore;
before(async () => { etcd = await startEtcd(); client = new Etcd3({ hosts: etcd.endpoint }); kv = new EtcdKv([etcd.endpoint]); store = new EtcdStore(client, kv); });
after(async () => { kv?.close(); client?.close(); await etcd?.stop(); });

const what = (name: string) => ({ resource: 'widgets', group: 'example.com', name });

test('keys follow the Kubernetes layout', () => {
  assert.equal(objectKey('/registry', 'pods', 'default', 'web'), '/registry/pods/default/web');
  assert.equal(objectKey('/registry', 'nodes', undefined, 'n1'), '/registry/nodes/n1');
  assert.equal(collectionKey('/registry', 'pods', 'ns'), '/registry/pods/ns/');
  assert.equal(prefixEnd('/a/').toString(), '/a0');
});

test('continue tokens round-trip and reject garbage', () => {
  const tok = encodeContinue('/registry/pods/', '/registry/pods/default/b\0', 42);
  assert.deepEqual(decodeContinue('/registry/pods/', tok), { rv: 42, start: 'default/b\0', key: '/registry/pods/default/b\0' });
  assert.throws(() => decodeContinue('/registry/pods/', 'not-base64-json'), /continue key is not valid/);
  assert.throws(() => decodeContinue('/registry/pods/', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: '../x' })).toString('base64url')), /not valid/);
});

test('create is guarded on absence, update/delete on the mod revision', async () => {
  const c = await store.create('/t/w/a', { metadata: { name: 'a' }, n: 1 }, what('a'));
  const rv = Number(c.metadata!.resourceVersion);
  await expectApiError(store.create('/t/w/a', { metadata: { name: 'a' } }, what('a')), 'AlreadyExists', 'widgets.example.com "a" already exists');
  const u = await store.update('/t/w/a', { metadata: { name: 'a' }, n: 2 }, rv, what('a'));
  await expectApiError(store.update('/t/w/a', { metadata: { name: 'a' }, n: 3 }, rv, what('a')), 'Conflict', /Operation cannot be fulfilled on widgets.example.com "a"/);
  await expectApiError(store.delete('/t/w/a', rv, what('a')), 'Conflict');
  await store.delete('/t/w/a', Number(u.metadata!.resourceVersion), what('a'));
  await expectApiError(store.update('/t/w/a', { n: 4 }, rv, what('a')), 'NotFound');
});

test('guaranteedUpdate retries on conflicts: 20 concurrent increments all land', async () => {
  await store.create('/t/w/counter', { metadata: { name: 'counter' }, n: 0 }, what('counter'));
  await Promise.all(Array.from({ length: 20 }, () => store.guaranteedUpdate('/t/w/counter', what('counter'), (cur) => ({ ...cur.obj, n: (cur.obj.n as number) + 1 }), { maxRetries: 100 })));
  const final = await store.mustGet('/t/w/counter', what('counter'));
  assert.equal(final.obj.n, 20);
  await expectApiError(store.guaranteedUpdate('/t/w/missing', what('missing'), (c) => c.obj), 'NotFound', 'widgets.example.com "missing" not found');
});

test('list pages at a revision; a compacted revision is 410 Gone', async () => {
  for (const n of ['p1', 'p2', 'p3']) await store.create(`/t/list/${n}`, { metadata: { name: n } }, what(n));
  const page = await store.list('/t/list/', { limit: 2 });
  assert.deepEqual(page.items.map((i) => i.obj.metadata!.name), ['p1', 'p2']);
  assert.equal(page.more, true);
  assert.equal(page.remaining, 1);
  await store.create('/t/list/p0', { metadata: { name: 'p0' } }, what('p0'));
  const rest = await store.list('/t/list/', { startKey: page.nextKey, revision: page.revision });
  assert.deepEqual(rest.items.map((i) => i.obj.metadata!.name), ['p3']);
  await store.compact(await store.currentRevision());
  await expectApiError(store.list('/t/list/', { revision: page.revision }), 'Gone', /too old resource version/);
  await expectApiError(store.list('/t/list/', { revision: page.revision, fromContinue: true }), 'Gone', /The provided continue parameter is too old/);
});

test('the compactor compacts to the revision of the previous round', async () => {
  const { runCompactor } = await import('./compactor.js');
  const ac = new AbortController();
  const compacted: number[] = [];
  const first = await store.create('/t/compact/a', { metadata: { name: 'a' } }, what('a'));
  const loop = runCompactor(store, 100, ac.signal, (rev) => compacted.push(rev));
  try {
    const deadline = Date.now() + 10_000;
    while (!compacted.some((r) => r >= Number(first.metadata!.resourceVersion))) {
      if (Date.now() > deadline) assert.fail('no compaction happened');
      await store.create(`/t/compact/${Date.now()}`, { metadata: {} }, what('x'));
      await new Promise((r) => setTimeout(r, 50));
    }
    await expectApiError(store.list('/t/compact/', { revision: Number(first.metadata!.resourceVersion) - 1 }), 'Gone');
    assert.ok(compacted[0] < await store.currentRevision(), 'keeps the latest interval of history');
  } finally { ac.abort(); await loop; }
});

test('a hung etcd makes calls fail with 504 Timeout instead of hanging', async () => {
  const short = new EtcdStore(client, kv, 500);
  await etcd.pause();
  try {
    await expectApiError(short.get('/t/hung'), 'Timeout', /context deadline exceeded/);
  } finally {
    etcd.resume();
  }
  await waitFor('etcd answers again', async () => { await short.get('/t/hung'); return true; }, { timeoutMs: 20_000, intervalMs: 250 });
});

test('keys with a TTL lease expire (Events)', async () => {
  await store.create('/t/ttl/e', { metadata: { name: 'e' } }, what('e'), { leaseTtl: 2 });
  assert.ok(await store.get('/t/ttl/e'));
  await waitFor('the key expired', async () => (await store.get('/t/ttl/e')) === undefined, { timeoutMs: 15_000, intervalMs: 250 });
});

test('guaranteedUpdate from a stale cached state: the write is decided on a fresh read (conflict, error and no-op alike)', async () => {
  const key = '/registry/widgets/ns/stale';
  const created = await store.create(key, { metadata: { name: 'stale' }, spec: { n: 1 } }, what('stale'));
  const stale = { key, obj: created, modRevision: Number(created.metadata!.resourceVersion), lease: '0' };
  await store.guaranteedUpdate(key, what('stale'), (cur) => ({ ...cur.obj, spec: { n: 2 } }));
  // Bump from the stale guess: the conflicting Txn makes it re-read and apply the bump to n=2.
  const seen: number[] = [];
  const bumped = await store.guaranteedUpdate(key, what('stale'), (cur) => {
    const n = (cur.obj.spec as { n: number }).n;
    seen.push(n);
    return { ...cur.obj, spec: { n: n + 1 } };
  }, { cached: () => stale });
  assert.deepEqual(seen, [1, 2]);
  assert.equal((bumped.obj.spec as { n: number }).n, 3);
  // A no-op against the stale guess is not trusted: the fresh state (n=3) differs, so it is written.
  const back = await store.guaranteedUpdate(key, what('stale'), (cur) => ({ ...cur.obj, spec: { n: 1 } }), { cached: () => stale });
  assert.equal((back.obj.spec as { n: number }).n, 1);
  assert.ok(Number(back.obj.metadata!.resourceVersion) > Number(bumped.obj.metadata!.resourceVersion));
  // An error on the stale guess (a precondition on the revision) is decided again on the fresh state.
  const current = back.obj.metadata!.resourceVersion;
  const pinned = await store.guaranteedUpdate(key, what('stale'), (cur) => {
    if (cur.obj.metadata!.resourceVersion !== current) throw new Error('precondition');
    return { ...cur.obj, spec: { n: 9 } };
  }, { cached: () => stale });
  assert.equal((pinned.obj.spec as { n: number }).n, 9);
  // A current guess needs no read: one call of fn, one write.
  let calls = 0;
  const fresh = { key, obj: pinned.obj, modRevision: Number(pinned.obj.metadata!.resourceVersion), lease: '0' };
  await store.guaranteedUpdate(key, what('stale'), (cur) => { calls++; return { ...cur.obj, spec: { n: 10 } }; }, { cached: () => fresh });
  assert.equal(calls, 1);
  // Deleted meanwhile: NotFound from the fresh read.
  await client.delete().key(key);
  await expectApiError(store.guaranteedUpdate(key, what('stale'), (cur) => cur.obj, { cached: () => fresh }), 'NotFound');
});
