/**
 * EtcdKv (Range and Txn over a bare HTTP/2 gRPC stream) against real etcd processes: the same
 * answers as the etcd3 client's stubs, etcd's errors with its messages (compaction, future
 * revision) mapped by EtcdStore as before, deadlines on a hung etcd, failover past a dead
 * endpoint, a clear error when etcd is gone, and TLS with client certificates.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ensureEtcdPki } from '../../lib/pki/cluster.js';
import { EtcdCallError, EtcdKv, type KvCalls, type WatchEvent } from './etcd-kv.js';
import { EtcdStore, etcdError } from './store.js';

let etcd: TestEtcd;
let client: Etcd3;
let kv: EtcdKv;

before(async () => {
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  kv = new EtcdKv([etcd.endpoint]);
});
after(async () => {
  kv?.close();
  client?.close();
  await etcd?.stop();
});

const b = (s: string) => Buffer.from(s);

test('Range and Txn answer exactly as the etcd3 client stubs do', async () => {
  const stub = client.kv as unknown as KvCalls;
  const create = (key: string, value: string) => ({
    compare: [{ key: b(key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }],
    success: [{ request_put: { key: b(key), value: b(value) } }],
    failure: [{ request_range: { key: b(key) } }],
  });
  const first = await kv.txn(create('/p/a', 'one'));
  assert.equal(first.succeeded, true);
  assert.ok(Number(first.header.revision) > 0);
  // The same create again fails, and the failure branch reads the current value.
  const again = await kv.txn(create('/p/a', 'two'));
  const againStub = await stub.txn(create('/p/a', 'two'));
  assert.equal(again.succeeded, false);
  assert.deepEqual(again.responses[0].response_range!.kvs, againStub.responses[0].response_range!.kvs);
  assert.equal(again.responses[0].response_range!.kvs[0].value.toString(), 'one');
  await stub.txn(create('/p/b', 'bee'));
  await kv.txn(create('/p/c', 'sea'));
  // Mod-revision guarded update and delete.
  const cur = (await kv.range({ key: b('/p/b') })).kvs[0];
  const upd = await kv.txn({ compare: [{ key: b('/p/b'), target: 'Mod', result: 'Equal', mod_revision: Number(cur.mod_revision) }], success: [{ request_put: { key: b('/p/b'), value: b('bee2') } }], failure: [] });
  assert.equal(upd.succeeded, true);
  const stale = await kv.txn({ compare: [{ key: b('/p/b'), target: 'Mod', result: 'Equal', mod_revision: Number(cur.mod_revision) }], success: [{ request_delete_range: { key: b('/p/b') } }], failure: [] });
  assert.equal(stale.succeeded, false);
  // Pages: limit, more, count, in key order; identical through both.
  const page = { key: b('/p/'), range_end: b('/p0'), limit: 2 };
  const [ours, theirs] = [await kv.range(page), await stub.range(page)];
  assert.deepEqual({ ...ours, header: undefined }, { ...theirs, header: undefined, kvs: theirs.kvs.map((k) => ({ key: k.key, value: k.value, create_revision: k.create_revision, mod_revision: k.mod_revision, version: k.version, lease: k.lease })) });
  assert.deepEqual(ours.kvs.map((k) => k.key.toString()), ['/p/a', '/p/b']);
  assert.equal(ours.more, true);
  assert.equal(ours.count, '3');
  assert.equal(ours.kvs[1].value.toString(), 'bee2');
  assert.equal(ours.kvs[1].version, '2');
});

test('etcd\'s errors keep their messages, and EtcdStore maps them as before (410, 504)', async () => {
  await kv.txn({ compare: [], success: [{ request_put: { key: b('/e/x'), value: b('1') } }] });
  const old = Number((await kv.txn({ compare: [], success: [{ request_put: { key: b('/e/x'), value: b('2') } }] })).header.revision);
  await kv.txn({ compare: [], success: [{ request_put: { key: b('/e/x'), value: b('3') } }] });
  await client.kv.compact({ revision: old + 1, physical: true });
  const compacted = await kv.range({ key: b('/e/x'), revision: old }).then(() => undefined, (e: unknown) => e);
  assert.ok(compacted instanceof EtcdCallError);
  assert.match(compacted.message, /compacted/);
  assert.equal(etcdError(compacted, old).code, 'Gone');
  const future = await kv.range({ key: b('/e/x'), revision: old + 1_000_000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(future instanceof EtcdCallError);
  assert.match(future.message, /future revision/);
  assert.equal(etcdError(future).code, 'Timeout');
  // Through EtcdStore: NotFound, AlreadyExists and Conflict come out as with the etcd3 stubs.
  const store = new EtcdStore(client, kv, 5000);
  const what = { resource: 'configmaps', group: '', name: 'c' };
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { a: '1' } };
  const made = await store.create('/registry/configmaps/d/c', obj, what);
  await assert.rejects(store.create('/registry/configmaps/d/c', obj, what), (e: { code?: string }) => e.code === 'AlreadyExists');
  await assert.rejects(store.update('/registry/configmaps/d/c', obj, Number(made.metadata!.resourceVersion) - 1, what), (e: { code?: string }) => e.code === 'Conflict');
  await assert.rejects(store.mustGet('/registry/configmaps/d/gone', { ...what, name: 'gone' }), (e: { code?: string }) => e.code === 'NotFound');
  assert.deepEqual((await store.get('/registry/configmaps/d/c'))!.obj, made);
});

test('a hung etcd ends the call at its deadline (504 through EtcdStore), and it works again after', async () => {
  const hung = await startEtcd();
  const hkv = new EtcdKv([hung.endpoint]);
  try {
    await hkv.range({ key: b('/warm') });
    await hung.pause();
    const started = Date.now();
    const err = await hkv.range({ key: b('/x') }, { deadline: new Date(Date.now() + 300) }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EtcdCallError, 'the call failed');
    assert.match(err.message, /deadline exceeded/);
    assert.equal(etcdError(err).code, 'Timeout');
    assert.ok(Date.now() - started < 3000, `ended at its deadline, not later (${Date.now() - started} ms)`);
    hung.resume();
    assert.equal((await hkv.range({ key: b('/x') })).kvs.length, 0);
  } finally {
    hung.resume();
    hkv.close();
    await hung.stop();
  }
});

test('a dead endpoint is passed over; an etcd that is gone gives UNAVAILABLE (503), not a hang', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const both = new EtcdKv([dead, etcd.endpoint]);
  try {
    const res = await both.txn({ compare: [], success: [{ request_put: { key: b('/f/x'), value: b('v') } }] });
    assert.equal(res.succeeded, true);
  } finally { both.close(); }
  const gone = await startEtcd();
  const gkv = new EtcdKv([gone.endpoint]);
  try {
    await gkv.range({ key: b('/x') });
    await gone.stop();
    const err = await gkv.txn({ compare: [], success: [{ request_put: { key: b('/x'), value: b('v') } }] }, { deadline: new Date(Date.now() + 5000) }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EtcdCallError);
    assert.equal(err.code, 14);
    assert.equal(etcdError(err).code, 'Unavailable');
  } finally { gkv.close(); }
});

test('over TLS with a client certificate of etcd\'s CA; without one the call is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-etcdkv-'));
  const pki = ensureEtcdPki(join(dir, 'pki'));
  const secure = await startEtcd({ tls: pki });
  const ca = readFileSync(pki.ca);
  const good = new EtcdKv([secure.endpoint], { ca, cert: readFileSync(pki.flanneldClient.cert), key: readFileSync(pki.flanneldClient.key) });
  const noCert = new EtcdKv([secure.endpoint], { ca });
  try {
    assert.equal((await good.txn({ compare: [], success: [{ request_put: { key: b('/t/x'), value: b('v') } }] })).succeeded, true);
    assert.equal((await good.range({ key: b('/t/x') })).kvs[0].value.toString(), 'v');
    const err = await noCert.range({ key: b('/t/x') }, { deadline: new Date(Date.now() + 5000) }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EtcdCallError, 'refused without a client certificate');
  } finally {
    good.close();
    noCert.close();
    await secure.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a call in flight keeps the process alive (its deadline timer); an idle connection does not', async () => {
  const module = new URL('./etcd-kv.js', import.meta.url).href;
  // The call is the only thing pending: the process must wait for it, print, and then exit by itself.
  const script = `const { EtcdKv } = await import(${JSON.stringify(module)}); const kv = new EtcdKv([${JSON.stringify(etcd.endpoint)}]);
    const r = await kv.txn({ compare: [], success: [{ request_put: { key: Buffer.from('/alive'), value: Buffer.from('yes') } }] });
    console.log('done', r.succeeded);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
  assert.equal(stdout.trim(), 'done true');
  assert.equal((await kv.range({ key: b('/alive') })).kvs[0].value.toString(), 'yes');
});

test('watch: every event once and in order from a revision (prev_kv on request), across an etcd restart; compaction ends it', async () => {
  const w = await startEtcd();
  const wkv = new EtcdKv([w.endpoint]);
  let restarted: ChildProcess | undefined;
  const put = (k: string, v: string) => wkv.txn({ compare: [], success: [{ request_put: { key: b(k), value: b(v) } }] });
  try {
    const start = Number((await put('/w/a', '0')).header.revision);
    const seen: WatchEvent[] = [];
    const ended: Array<{ message: string; compact: number }> = [];
    const watch = wkv.watch({ key: b('/w/'), range_end: b('/w0'), start_revision: start, prev_kv: true }, {
      onEvents: (evs) => { seen.push(...evs); },
      onEnd: (err, compact) => { ended.push({ message: err.message, compact }); },
    });
    await watch.created;
    await put('/w/a', '1');
    await wkv.txn({ compare: [], success: [{ request_delete_range: { key: b('/w/a') } }] });
    await put('/other', 'not watched');
    await waitFor('3 events', () => seen.length >= 3);
    assert.deepEqual(seen.map((e) => [e.type, e.kv.key.toString(), e.kv.value.toString(), e.prev_kv?.value.toString()]), [
      ['Put', '/w/a', '0', undefined], ['Put', '/w/a', '1', '0'], ['Delete', '/w/a', '', '1'],
    ]);
    // etcd dies and comes back on the same data: the watch resumes after the last event it delivered.
    const [cmd, ...args] = w.process.spawnargs;
    const gone = new Promise((r) => w.process.once('exit', r));
    w.process.kill('SIGKILL');
    await gone;
    restarted = spawn(cmd, args, { stdio: 'ignore' });
    await waitFor('etcd back', async () => (await fetch(`${w.endpoint}/health`).catch(() => undefined))?.ok, { timeoutMs: 20_000 });
    await waitFor('a write after the restart', () => put('/w/b', 'after').catch(() => undefined), { timeoutMs: 20_000, intervalMs: 100 });
    await waitFor('the event after the restart', () => seen.length >= 4, { timeoutMs: 20_000 });
    assert.deepEqual(seen.slice(3).map((e) => [e.type, e.kv.key.toString(), e.kv.value.toString()]), [['Put', '/w/b', 'after']], 'nothing repeated, nothing lost');
    watch.cancel();
    await put('/w/c', 'after cancel');
    // A watch from a compacted revision ends with the compaction revision.
    const now = Number((await put('/w/d', 'x')).header.revision);
    await wkv.txn({ compare: [], success: [{ request_put: { key: b('/w/d'), value: b('y') } }] });
    const compactor = new Etcd3({ hosts: w.endpoint });
    try { await compactor.kv.compact({ revision: now + 1, physical: true }); } finally { compactor.close(); }
    const old = wkv.watch({ key: b('/w/'), range_end: b('/w0'), start_revision: start }, { onEvents: () => undefined, onEnd: (err, compact) => { ended.push({ message: err.message, compact }); } });
    await old.created;
    await waitFor('the compacted watch ended', () => ended.length >= 1);
    assert.equal(ended[0].compact, now + 1);
    assert.match(ended[0].message, /compacted/);
    assert.equal(seen.length, 4, 'no event after cancel');
  } finally {
    wkv.close();
    if (restarted && restarted.exitCode === null) {
      const exited = new Promise((r) => restarted!.once('exit', r));
      restarted.kill('SIGKILL');
      await exited;
    }
    await w.stop();
  }
});
