import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { ReplicaSetController } from './replica-set.js';
import { DeploymentController } from './deployment/controller.js';
import { GarbageCollector } from './garbage-collector.js';
import type { KObject } from '../../lib/api/object.js';

let cp: TestControlPlane;
const stop = new AbortController();
const recorder = { event: () => undefined };
const DEP = { group: 'apps', resource: 'deployments', namespace: 'default' };

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const controllers = [new ReplicaSetController(informers, cp.client, recorder), new DeploymentController(informers, cp.client, recorder), new GarbageCollector(informers, cp.client)];
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  for (const c of controllers) void c.run(2, stop.signal);
  startFakeKubelet(cp.client, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

function deployment(name: string): KObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
}
async function count(resource: string, app: string, group = ''): Promise<number> {
  return (await cp.client.list({ group, resource, namespace: 'default' }, { labelSelector: `app=${app}` })).items.length;
}

test('deleting a Deployment (background) removes its ReplicaSet and pods', async () => {
  await cp.client.create(DEP, deployment('gone'));
  await waitFor('2 pods', async () => (await count('pods', 'gone')) === 2);
  await cp.client.delete({ ...DEP, name: 'gone' }, { propagationPolicy: 'Background' });
  await waitFor('rs and pods collected', async () => (await count('replicasets', 'gone', 'apps')) === 0 && (await count('pods', 'gone')) === 0, { timeoutMs: 15_000 });
});

test('deleting a Deployment with --cascade=foreground removes dependents first', async () => {
  await cp.client.create(DEP, deployment('fg'));
  await waitFor('2 pods', async () => (await count('pods', 'fg')) === 2);
  await cp.client.delete({ ...DEP, name: 'fg' }, { propagationPolicy: 'Foreground' });
  await waitFor('everything gone', async () => {
    const d = await cp.client.get({ ...DEP, name: 'fg' }).catch(() => undefined);
    return !d && (await count('replicasets', 'fg', 'apps')) === 0 && (await count('pods', 'fg')) === 0;
  }, { timeoutMs: 15_000 });
});

test('deleting a ReplicaSet with --cascade=orphan keeps its pods without owner', async () => {
  await cp.client.create({ group: 'apps', resource: 'replicasets', namespace: 'default' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'orph' }, spec: { replicas: 2, selector: { matchLabels: { app: 'orph' } }, template: { metadata: { labels: { app: 'orph' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as KObject);
  await waitFor('2 pods', async () => (await count('pods', 'orph')) === 2);
  await cp.client.delete({ group: 'apps', resource: 'replicasets', namespace: 'default', name: 'orph' }, { propagationPolicy: 'Orphan' });
  await waitFor('rs gone', async () => !(await cp.client.get({ group: 'apps', resource: 'replicasets', namespace: 'default', name: 'orph' }).catch(() => undefined)), { timeoutMs: 15_000 });
  const pods = (await cp.client.list({ resource: 'pods', namespace: 'default' }, { labelSelector: 'app=orph' })).items;
  assert.equal(pods.length, 2);
  for (const p of pods) assert.ok(!p.metadata?.ownerReferences?.length, `owner reference removed: ${JSON.stringify(p.metadata)}`);
});
