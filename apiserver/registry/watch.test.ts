import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import type { KObject } from '../../lib/api/object.js';
import type { WatchEvent } from './types.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, take, type TestRegistry } from './testing.js';

let t: TestRegistry;
// A small cache window so a resume far enough back must go to etcd (and meet compaction).
before(async () => { t = await startTestRegistry({ watchCacheSize: 20, bookmarkIntervalMs: 100 }); });
after(async () => { await t?.stop(); });

const cm = (name: string, labels: Record<string, string> = {}, ns = 'default'): KObject => ({ metadata: { name, namespace: ns, labels }, data: { v: '0' } });
const summary = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata?.name}`);

test('watch without resourceVersion starts with the current state as ADDED, then live events', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w1' } });
  await t.reg.create(ctx, R.configmaps, 'w1', cm('a', {}, 'w1'));
  await t.reg.create(ctx, R.configmaps, 'w1', cm('b', {}, 'w1'));
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w1', {}, ac.signal)[Symbol.asyncIterator]();
    assert.deepEqual(summary(await take(it, 2)), ['ADDED a', 'ADDED b']);
    await t.reg.create(ctx, R.configmaps, 'w1', cm('c', {}, 'w1'));
    await t.reg.delete(ctx, R.configmaps, 'w1', 'a', {});
    const evs = await take(it, 2);
    assert.deepEqual(summary(evs), ['ADDED c', 'DELETED a']);
    assert.ok(Number(evs[1].object.metadata!.resourceVersion) > Number(evs[0].object.metadata!.resourceVersion), 'DELETED carries the deletion revision');
  } finally { ac.abort(); }
});

test('watch resumed from a resourceVersion sees exactly the events after it', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w2' } });
  const x = await t.reg.create(ctx, R.configmaps, 'w2', cm('x', {}, 'w2'));
  const rv = x.metadata!.resourceVersion!;
  const y = await t.reg.create(ctx, R.configmaps, 'w2', cm('y', {}, 'w2'));
  await t.reg.update(ctx, R.configmaps, 'w2', 'x', { ...x, data: { v: '1' } });
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w2', { resourceVersion: rv }, ac.signal)[Symbol.asyncIterator]();
    const evs = await take(it, 2);
    assert.deepEqual(summary(evs), ['ADDED y', 'MODIFIED x']);
    assert.equal(evs[0].object.metadata!.resourceVersion, y.metadata!.resourceVersion);
    await t.reg.delete(ctx, R.configmaps, 'w2', 'y', {});
    assert.deepEqual(summary(await take(it, 1)), ['DELETED y']);
  } finally { ac.abort(); }
});

test('a watch from a compacted revision outside the cache window is 410 Gone', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w3' } });
  const first = await t.reg.create(ctx, R.configmaps, 'w3', cm('old', {}, 'w3'));
  // Start the cache, then push the first revision out of its 20-event window.
  const ac0 = new AbortController();
  t.reg.watch(ctx, R.configmaps, 'w3', {}, ac0.signal)[Symbol.asyncIterator]().next().catch(() => undefined);
  let last = first;
  for (let i = 0; i < 30; i++) last = await t.reg.update(ctx, R.configmaps, 'w3', 'old', { ...last, data: { v: String(i) }, metadata: { ...last.metadata, resourceVersion: undefined } });
  ac0.abort();
  const rev = Number(last.metadata!.resourceVersion);
  await t.reg.store.compact(rev);
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w3', { resourceVersion: first.metadata!.resourceVersion }, ac.signal)[Symbol.asyncIterator]();
    await expectApiError(it.next(), 'Gone', new RegExp(`^too old resource version: ${first.metadata!.resourceVersion} \\(\\d+\\)$`));
  } finally { ac.abort(); }
  // A recent revision is still served (from the cache window).
  const ac2 = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w3', { resourceVersion: String(rev - 1) }, ac2.signal)[Symbol.asyncIterator]();
    assert.deepEqual(summary(await take(it, 1)), ['MODIFIED old']);
  } finally { ac2.abort(); }
});

test('200 watchers share one etcd watch and all get the event', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w4' } });
  const def = t.reg.lookup('', 'configmaps')!;
  const cache = t.reg.watchCache(def);
  const base = cache.watcherCount;
  const ac = new AbortController();
  setMaxListeners(300, ac.signal); // 200 watchers share this one signal on purpose
  try {
    const its = Array.from({ length: 200 }, () => t.reg.watch(ctx, R.configmaps, 'w4', { sendInitialEvents: false }, ac.signal)[Symbol.asyncIterator]());
    const streamsBefore = await countEtcdWatches(t);
    const pending = its.map((it) => take(it, 1));
    await waitForWatchers(() => cache.watcherCount - base >= 200);
    const watchStreams = await countEtcdWatches(t) - streamsBefore;
    await t.reg.create(ctx, R.configmaps, 'w4', cm('fan', {}, 'w4'));
    const got = await Promise.all(pending);
    assert.equal(got.length, 200);
    for (const evs of got) assert.deepEqual(summary(evs), ['ADDED fan']);
    assert.equal(watchStreams, 0, `200 watchers must add no etcd watch, etcd reports ${watchStreams} more`);
    const st = t.reg.stats().find((x) => x.resource === 'configmaps')!;
    assert.ok(st.watchers >= 200 && st.objects >= 1, JSON.stringify(st));
  } finally { ac.abort(); }
  await waitForWatchers(() => cache.watcherCount === base);
});

test('a selector watch sees ADDED when an object starts matching and DELETED when it stops', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w5' } });
  const o = await t.reg.create(ctx, R.configmaps, 'w5', cm('sel', { app: 'other' }, 'w5'));
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w5', { labelSelector: 'app=web', resourceVersion: o.metadata!.resourceVersion }, ac.signal)[Symbol.asyncIterator]();
    const on = await t.reg.update(ctx, R.configmaps, 'w5', 'sel', { ...o, metadata: { ...o.metadata, labels: { app: 'web' } } });
    const [added] = await take(it, 1);
    assert.equal(added.type, 'ADDED');
    assert.equal(added.object.metadata!.resourceVersion, on.metadata!.resourceVersion);
    const mod = await t.reg.update(ctx, R.configmaps, 'w5', 'sel', { ...on, data: { v: '2' } });
    assert.deepEqual(summary(await take(it, 1)), ['MODIFIED sel']);
    const off = await t.reg.update(ctx, R.configmaps, 'w5', 'sel', { ...mod, metadata: { ...mod.metadata, labels: { app: 'gone' } } });
    const [deleted] = await take(it, 1);
    assert.equal(deleted.type, 'DELETED');
    assert.equal(deleted.object.metadata!.resourceVersion, off.metadata!.resourceVersion);
    assert.deepEqual(deleted.object.metadata!.labels, { app: 'web' }, 'DELETED carries the last matching state');
  } finally { ac.abort(); }
  // Field selectors filter server-side too.
  const ac2 = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, undefined, { fieldSelector: 'metadata.name=only' }, ac2.signal)[Symbol.asyncIterator]();
    await t.reg.create(ctx, R.configmaps, 'w5', cm('skip', {}, 'w5'));
    await t.reg.create(ctx, R.configmaps, 'w5', cm('only', {}, 'w5'));
    assert.deepEqual(summary(await take(it, 1)), ['ADDED only']);
  } finally { ac2.abort(); }
  await expectApiError((async () => { for await (const _ of t.reg.watch(ctx, R.configmaps, 'w5', { fieldSelector: 'spec.nope=1' }, new AbortController().signal)) break; })(), 'BadRequest', 'field label not supported: spec.nope');
});

test('bookmarks carry the current resourceVersion when asked for', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w6' } });
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w6', { allowWatchBookmarks: true, sendInitialEvents: true }, ac.signal)[Symbol.asyncIterator]();
    const [end] = await take(it, 1);
    assert.equal(end.type, 'BOOKMARK');
    assert.equal(end.object.metadata!.annotations!['k8s.io/initial-events-end'], 'true');
    const c = await t.reg.create(ctx, R.configmaps, 'w6', cm('bm', {}, 'w6'));
    let evs = await take(it, 1);
    while (evs[0].type === 'BOOKMARK') evs = await take(it, 1);
    assert.equal(evs[0].type, 'ADDED');
    const [bm] = await take(it, 1);
    assert.equal(bm.type, 'BOOKMARK', 'periodic bookmark');
    assert.equal(bm.object.kind, 'ConfigMap');
    assert.ok(Number(bm.object.metadata!.resourceVersion) >= Number(c.metadata!.resourceVersion));
  } finally { ac.abort(); }
});

async function waitForWatchers(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail('watchers did not register/unregister in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Watch streams etcd reports through its metrics (etcd_debugging_mvcc_watcher_total). */
async function countEtcdWatches(tr: TestRegistry): Promise<number> {
  const text = await (await fetch(`${tr.etcd.endpoint}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total'));
  return Number(line?.split(' ')[1] ?? NaN);
}

test('a watch starting with a large current state is not closed as a slow watcher', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w7' } });
  for (let i = 0; i < 20; i++) await t.reg.create(ctx, R.configmaps, 'w7', cm(`big-${i}`, {}, 'w7'));
  const { WatchCache } = await import('../storage/watch-cache.js');
  // A cache whose watchers may only fall 5 events behind: 20 initial objects must still arrive.
  const cache = new WatchCache(t.reg.store, '/registry/configmaps/w7/', { maxQueued: 5, bookmarkIntervalMs: 0 });
  const ac = new AbortController();
  try {
    const it = (await cache.watch({ initial: true, matches: () => true, bookmarks: false, bookmark: () => ({}) }, ac.signal))[Symbol.asyncIterator]();
    assert.equal((await take(it, 20)).length, 20);
  } finally { ac.abort(); await cache.stop(); }
});

test('when the shared etcd watch ends for good, watchers get 410 and the cache reloads', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w8' } });
  const cache = t.reg.watchCache(t.reg.lookup('', 'configmaps')!);
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w8', {}, ac.signal)[Symbol.asyncIterator]();
    const pending = it.next();
    await waitForWatchers(() => cache.ready);
    const { ApiError } = await import('../../lib/errors.js');
    // What etcd's cancel of a compacted watch leads to (private: there is no way to make etcd do it on cue).
    (cache as unknown as { reset(e: Error): void }).reset(new ApiError('Gone', 'too old resource version: 1 (2)'));
    await expectApiError(pending, 'Gone');
    await waitForWatchers(() => cache.ready);
    const it2 = t.reg.watch(ctx, R.configmaps, 'w8', { sendInitialEvents: false }, ac.signal)[Symbol.asyncIterator]();
    const next = take(it2, 1);
    await waitForWatchers(() => cache.watcherCount > 0);
    await t.reg.create(ctx, R.configmaps, 'w8', cm('after-reset', {}, 'w8'));
    assert.deepEqual(summary(await next), ['ADDED after-reset']);
  } finally { ac.abort(); }
});

test('previous states come from the cache (no prev_kv): rapid label flips and a delete, written straight to etcd so several land in one watch response', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'w-flip' } });
  await t.reg.create(ctx, R.configmaps, 'w-flip', cm('f', { app: 'on' }, 'w-flip'));
  const ac = new AbortController();
  try {
    const it = t.reg.watch(ctx, R.configmaps, 'w-flip', { labelSelector: 'app=on' }, ac.signal)[Symbol.asyncIterator]();
    assert.deepEqual(summary(await take(it, 1)), ['ADDED f']);
    const key = '/registry/configmaps/w-flip/f';
    const body = (app: string, v: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'f', namespace: 'w-flip', labels: { app } }, data: { v: String(v) } });
    // Issued together, so etcd may deliver several revisions in one response; their order is etcd's.
    const puts = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(async (i) => ({ on: i % 3 !== 0, v: String(i), rev: Number((await t.client.put(key).value(body(i % 3 !== 0 ? 'on' : 'off', i)).exec()).header.revision) })));
    await t.client.delete().key(key);
    // What a watcher of app=on must see, from etcd's order of the writes.
    const expected: string[] = [];
    let matched = true;
    for (const p of puts.sort((a, b) => a.rev - b.rev)) {
      if (p.on) expected.push(`${matched ? 'MODIFIED' : 'ADDED'} f v=${p.v}`);
      else if (matched) expected.push('DELETED f v=' + (expected.length ? expected[expected.length - 1].split('v=')[1] : '0'));
      matched = p.on;
    }
    if (matched) expected.push(`DELETED f v=${puts[puts.length - 1].v}`);
    const got = (await take(it, expected.length)).map((e) => `${e.type} ${e.object.metadata?.name} v=${(e.object.data as { v?: string } | undefined)?.v}`);
    assert.deepEqual(got, expected);
  } finally { ac.abort(); }
});
