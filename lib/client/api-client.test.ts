import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRegistry, expectApiError } from '../../apiserver/registry/testing.js';
import { startGrpcServer } from '../../apiserver/grpc/server.js';
import { freePort } from '../testing/ports.js';
import { ApiClient } from './api-client.js';

test('waitForReady waits for an apiserver that starts later, and times out with Unavailable when none comes', async (t) => {
  const tr = await startTestRegistry();
  t.after(() => tr.stop());
  const port = await freePort();
  const client = ApiClient.connect(`127.0.0.1:${port}`);
  t.after(() => client.close());
  await expectApiError(client.list({ resource: 'pods' }), 'Unavailable');
  await expectApiError(client.waitForReady(300), 'Unavailable', /not reachable within 300 ms/);

  const ready = client.waitForReady(10_000);
  const srv = await startGrpcServer({ registry: tr.reg, host: '127.0.0.1', port });
  t.after(() => srv.close());
  await ready;
  assert.ok((await client.list({ resource: 'namespaces' })).items.some((n) => n.metadata?.name === 'default'));
});

test('HA: a client given two apiservers keeps working, and its informer keeps watching, when one stops', async (t) => {
  const { startEtcd } = await import('../testing/etcd.js');
  const { Etcd3 } = await import('etcd3');
  const { createRegistry } = await import('../../apiserver/registry/registry.js');
  const { EtcdKv } = await import('../../apiserver/storage/etcd-kv.js');
  const { SharedInformer } = await import('./informer.js');
  const { waitFor } = await import('../testing/wait.js');
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const servers: Array<{ close(): Promise<void>; port: number }> = [];
  for (let i = 0; i < 2; i++) {
    const client = new Etcd3({ hosts: etcd.endpoint });
    const kv = new EtcdKv([etcd.endpoint]);
    const reg = await createRegistry({ etcd: client, etcdKv: kv });
    t.after(async () => { await reg.close(); kv.close(); client.close(); });
    const srv = await startGrpcServer({ registry: reg, host: '127.0.0.1', port: 0 });
    servers.push(srv);
    t.after(() => srv.close());
  }
  const client = ApiClient.connect(servers.map((s) => `127.0.0.1:${s.port}`).join(','));
  const ac = new AbortController();
  t.after(() => { ac.abort(); client.close(); });
  const cms = { resource: 'configmaps', namespace: 'default' };
  const inf = new SharedInformer(client, cms, { backoff: { initialMs: 50, maxMs: 300 } });
  const running = inf.run(ac.signal);
  t.after(() => running);
  await waitFor('synced', () => inf.hasSynced());
  await client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } });

  await servers[0].close();
  await waitFor('create through the other apiserver', () => client.create(cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } }).then(() => true, () => false), { timeoutMs: 15_000 });
  await waitFor('informer sees both', () => inf.lister.get('default', 'one') && inf.lister.get('default', 'two'), { timeoutMs: 15_000 });
  assert.throws(() => ApiClient.connect('a.example:1,b.example:2'), /ip:port,ip:port/);
});
