import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { SharedInformer } from '../../lib/client/informer.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { StatefulSetController } from './stateful-set.js';
import type { KObject } from '../../lib/api/object.js';
import type { Pod, StatefulSet } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();
const STS = { group: 'apps', resource: 'statefulsets', namespace: 'default' };

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new StatefulSetController(informers, cp.client, { event: () => undefined });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(2, stop.signal);
  startFakeKubelet(cp.client, stop.signal, { delayMs: 50 });
});
after(async () => { stop.abort(); await cp.stop(); });

test('StatefulSet creates web-0, web-1, web-2 strictly in order, with stable hostnames and PVCs, and deletes 2, 1, 0', async () => {
  const added: string[] = [];
  const deleted: string[] = [];
  const pods = new SharedInformer<Pod>(cp.client, { resource: 'pods', namespace: 'default' });
  pods.addEventHandler({ onAdd: (p) => added.push(p.metadata!.name!), onDelete: (p) => deleted.push(p.metadata!.name!) });
  void pods.run(stop.signal);
  await waitFor('informer', () => pods.hasSynced());
  await cp.client.create(STS, {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
    spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
  } as KObject);
  await waitFor('3 ready', async () => (await cp.client.get<StatefulSet>({ ...STS, name: 'web' })).status?.readyReplicas === 3, { timeoutMs: 20_000 });
  assert.deepEqual(added, ['web-0', 'web-1', 'web-2']);
  // Each pod was created only after the previous one was Ready.
  const list = (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' })).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  for (const p of list) {
    assert.equal(p.spec!.hostname, p.metadata!.name);
    assert.equal(p.spec!.subdomain, 'nginx');
    assert.equal(p.spec!.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, `www-${p.metadata!.name}`);
  }
  const pvcs = (await cp.client.list({ resource: 'persistentvolumeclaims', namespace: 'default' })).items.map((c) => c.metadata!.name).sort();
  assert.deepEqual(pvcs, ['www-web-0', 'www-web-1', 'www-web-2']);

  await cp.client.patch({ ...STS, name: 'web' }, 'merge', { spec: { replicas: 0 } });
  await waitFor('scaled to 0', async () => (await cp.client.list({ resource: 'pods', namespace: 'default' })).items.length === 0, { timeoutMs: 20_000 });
  assert.deepEqual(deleted, ['web-2', 'web-1', 'web-0']);
  const kept = (await cp.client.list({ resource: 'persistentvolumeclaims', namespace: 'default' })).items.length;
  assert.equal(kept, 3, 'claims outlive their pods');
});
