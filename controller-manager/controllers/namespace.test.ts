import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { NamespaceController } from './namespace.js';
import type { KObject } from '../../lib/api/object.js';

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new NamespaceController(informers, cp.client);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

test('deleting a namespace deletes everything inside, then the namespace', async () => {
  await cp.client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } } as KObject);
  await cp.client.create({ resource: 'configmaps', namespace: 'lab' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } } as KObject);
  await cp.client.create({ group: 'apps', resource: 'deployments', namespace: 'lab' }, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } as KObject);
  const deleting = await cp.client.delete({ resource: 'namespaces', name: 'lab' });
  assert.equal((deleting.status as { phase?: string })?.phase, 'Terminating');
  await waitFor('namespace gone', async () => !(await cp.client.get({ resource: 'namespaces', name: 'lab' }).catch(() => undefined)), { timeoutMs: 15_000 });
  assert.equal((await cp.client.list({ resource: 'configmaps', namespace: 'lab' })).items.length, 0);
  assert.equal((await cp.client.list({ group: 'apps', resource: 'deployments', namespace: 'lab' })).items.length, 0);
});
