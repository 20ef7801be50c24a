import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer } from '../../apiserver/grpc/testing.js';
import { SharedInformer, InformerFactory } from './informer.js';
import { waitFor } from '../testing/wait.js';
import type { ConfigMap, Pod } from '../api/types.js';

const cms = { resource: 'configmaps', namespace: 'default' };

test('informer lists, then sees add, update and delete; the lister and indexes follow', async (t) => {
  const api = await startTestApiServer();
  const ac = new AbortController();
  t.after(async () => { ac.abort(); await api.stop(); });
  const { client } = api;
  await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', labels: { app: 'x' } } });

  const inf = new SharedInformer<ConfigMap>(client, cms);
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata?.name}`),
    onUpdate: (a, b) => log.push(`update ${b.metadata?.name} ${a.data?.k ?? '-'}->${b.data?.k}`),
    onDelete: (o) => log.push(`delete ${o.metadata?.name}`),
  });
  const running = inf.run(ac.signal);
  t.after(() => running);
  await waitFor('synced', () => inf.hasSynced());
  assert.deepEqual(log, ['add before']);

  await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
  await client.patch({ ...cms, name: 'after' }, 'merge', { data: { k: 'v2' } });
  await client.delete({ ...cms, name: 'before' });
  await waitFor('three events', () => log.length >= 4);
  assert.deepEqual(log, ['add before', 'add after', 'update after -->v2', 'delete before']);
  assert.equal(inf.lister.get('default', 'after')?.data?.k, 'v2');
  assert.equal(inf.lister.get('default', 'before'), undefined);
  assert.deepEqual(inf.lister.list('app=x'), []);
  assert.deepEqual(inf.lister.byIndex('namespace', 'default').map((o) => o.metadata?.name), ['after']);

  // a late handler gets the current state as adds
  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o) => late.push(o.metadata?.name ?? '') });
  assert.deepEqual(late, ['after']);
});

test('pods are indexed by node name and owner UID', async (t) => {
  const api = await startTestApiServer();
  const ac = new AbortController();
  t.after(async () => { ac.abort(); await api.stop(); });
  const pods = { resource: 'pods', namespace: 'default' };
  const factory = new InformerFactory(api.client);
  const inf = factory.informerFor<Pod>(pods);
  assert.equal(factory.informerFor<Pod>(pods), inf, 'one shared informer per resource');
  factory.start(ac.signal);
  assert.equal(await factory.waitForCacheSync(ac.signal), true);
  await api.client.create<Pod>(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
  await api.client.create<Pod>(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await waitFor('both pods cached', () => inf.indexer.size() === 2);
  assert.deepEqual(inf.lister.byIndex('nodeName', 'n1').map((p) => p.metadata?.name), ['p1']);
  assert.deepEqual(inf.lister.byIndex('ownerUID', 'rs-uid').map((p) => p.metadata?.name), ['p1']);
  await api.client.bind('default', 'p2', 'n1');
  await waitFor('p2 on n1', () => inf.lister.byIndex('nodeName', 'n1').length === 2);
});

test('informer re-lists after its watch revision is compacted (410 Gone) and converges', async (t) => {
  const api = await startTestApiServer({ watchCacheSize: 2 });
  const outer = new AbortController();
  t.after(async () => { outer.abort(); await api.stop(); });
  const { client } = api;
  await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  const inf = new SharedInformer<ConfigMap>(client, cms, { backoff: { initialMs: 20, maxMs: 200 } });
  const deleted: string[] = [];
  inf.addEventHandler({ onDelete: (o) => deleted.push(o.metadata?.name ?? '') });
  // first run: sync, then stop it so it misses what follows
  const first = new AbortController();
  const run1 = inf.run(first.signal);
  await waitFor('synced', () => inf.hasSynced());
  first.abort();
  await run1;
  assert.equal(inf.listCount(), 1);

  // while it is away: changes, the old revision leaves the watch cache, etcd compacts it
  await client.delete({ ...cms, name: 'a' });
  for (let i = 0; i < 4; i++) await client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `n${i}` } });
  const head = await client.list(cms);
  await api.registry.reg.store.compact(Number(head.metadata.resourceVersion));

  const run2 = inf.run(outer.signal);
  t.after(() => run2);
  await waitFor('re-listed and converged', () => inf.listCount() === 2 && inf.indexer.size() === 4);
  assert.deepEqual(inf.indexer.keys().sort(), ['default/n0', 'default/n1', 'default/n2', 'default/n3']);
  assert.deepEqual(deleted, ['a'], 'the object deleted while away is reported by the re-list');
});

test('resync delivers onUpdate(obj, obj) for every cached object each period', async (t) => {
  const api = await startTestApiServer();
  const ac = new AbortController();
  t.after(async () => { ac.abort(); await api.stop(); });
  await api.client.create<ConfigMap>(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' } });
  const inf = new SharedInformer<ConfigMap>(api.client, cms, { resyncPeriodMs: 100 });
  const resyncs: string[] = [];
  inf.addEventHandler({ onUpdate: (a, b) => { if (a === b) resyncs.push(b.metadata?.name ?? ''); } });
  const running = inf.run(ac.signal);
  t.after(() => running);
  await waitFor('two resyncs', () => resyncs.length >= 2);
  assert.deepEqual(resyncs.slice(0, 2), ['r', 'r']);
});

test('informer survives an apiserver restart: it reconnects, resumes and converges', async (t) => {
  const { startTestRegistry, adminCtx } = await import('../../apiserver/registry/testing.js');
  const { startGrpcServer } = await import('../../apiserver/grpc/server.js');
  const { ApiClient } = await import('./api-client.js');
  const tr = await startTestRegistry();
  let srv = await startGrpcServer({ registry: tr.reg, host: '127.0.0.1', port: 0 });
  const port = srv.port;
  const client = ApiClient.connect(`127.0.0.1:${port}`);
  const ac = new AbortController();
  t.after(async () => { ac.abort(); client.close(); await srv.close(); await tr.stop(); });
  const inf = new SharedInformer<ConfigMap>(client, cms, { backoff: { initialMs: 50, maxMs: 300 } });
  const running = inf.run(ac.signal);
  t.after(() => running);
  await waitFor('synced', () => inf.hasSynced());

  await srv.close();
  // while the gRPC facade is down, the cluster changes
  const ref = { group: '', version: 'v1', resource: 'configmaps' };
  await tr.reg.create(adminCtx, ref, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-down' } });
  srv = await startGrpcServer({ registry: tr.reg, host: '127.0.0.1', port });
  await waitFor('converged after restart', () => inf.lister.get('default', 'while-down'), { timeoutMs: 15_000 });
  await tr.reg.create(adminCtx, ref, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-up' } });
  await waitFor('live again', () => inf.lister.get('default', 'after-up'));
  assert.equal(inf.listCount(), 1, 'resumed from its resourceVersion, no re-list needed');
});
