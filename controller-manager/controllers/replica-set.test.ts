import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { ReplicaSetController, REPLICATION_CONTROLLER } from './replica-set.js';
import type { KObject } from '../../lib/api/object.js';
import type { Pod } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();
const events: string[] = [];
const recorder = { event: (_o: KObject, _t: string, reason: string, msg: string) => { events.push(`${reason}: ${msg}`); } };

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const rs = new ReplicaSetController(informers, cp.client, recorder);
  const rc = new ReplicaSetController(informers, cp.client, recorder, REPLICATION_CONTROLLER);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void rs.run(2, stop.signal);
  void rc.run(2, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

async function podsOf(label: string): Promise<Pod[]> {
  const list = await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' }, { labelSelector: `app=${label}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

test('ReplicaSet creates replicas, replaces a deleted pod, scales down, reports status', async () => {
  await cp.client.create({ group: 'apps', resource: 'replicasets', namespace: 'default' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') } } as KObject);
  const pods = await waitFor('3 pods', async () => { const p = await podsOf('web'); return p.length === 3 && p; });
  for (const p of pods) {
    assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(p.metadata!.ownerReferences?.[0]?.kind, 'ReplicaSet');
    assert.equal(p.metadata!.ownerReferences?.[0]?.controller, true);
  }
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: pods[0].metadata!.name! });
  await waitFor('replacement pod', async () => { const p = await podsOf('web'); return p.length === 3 && !p.some((x) => x.metadata!.name === pods[0].metadata!.name) && p; });
  await cp.client.patch({ group: 'apps', resource: 'replicasets', namespace: 'default', name: 'web' }, 'merge', { spec: { replicas: 1 } });
  await waitFor('scaled to 1', async () => (await podsOf('web')).length === 1);
  await waitFor('status.replicas = 1', async () => {
    const rs = await cp.client.get<KObject>({ group: 'apps', resource: 'replicasets', namespace: 'default', name: 'web' });
    const st = rs.status as { replicas?: number; observedGeneration?: number };
    return st?.replicas === 1 && st.observedGeneration === rs.metadata?.generation;
  });
  assert.ok(events.some((e) => e.startsWith('SuccessfulCreate: Created pod: web-')));
  assert.ok(events.some((e) => e.startsWith('SuccessfulDelete: Deleted pod: web-')));
});

test('ReplicaSet adopts a matching bare pod instead of creating one', async () => {
  await cp.client.create({ resource: 'pods', namespace: 'default' },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KObject);
  await cp.client.create({ group: 'apps', resource: 'replicasets', namespace: 'default' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'adopt' }, spec: { replicas: 2, selector: { matchLabels: { app: 'adopt' } }, template: template('adopt') } } as KObject);
  const pods = await waitFor('2 pods', async () => { const p = await podsOf('adopt'); return p.length === 2 && p.every((x) => x.metadata?.ownerReferences?.length) && p; });
  const orphan = pods.find((p) => p.metadata!.name === 'orphan');
  assert.ok(orphan, 'the bare pod is kept and adopted');
  assert.equal(orphan.metadata!.ownerReferences![0].name, 'adopt');
});

test('ReplicationController keeps replicas with an equality selector', async () => {
  await cp.client.create({ resource: 'replicationcontrollers', namespace: 'default' },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'kubia' }, spec: { replicas: 3, selector: { app: 'kubia' }, template: template('kubia') } } as KObject);
  await waitFor('3 rc pods', async () => (await podsOf('kubia')).length === 3);
  const p = (await podsOf('kubia'))[0];
  assert.equal(p.metadata!.ownerReferences?.[0]?.kind, 'ReplicationController');
});
