import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { EndpointSliceController } from './endpoint-slice.js';
import type { KObject } from '../../lib/api/object.js';
import type { EndpointSlice } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();
before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new EndpointSliceController(informers, cp.client);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(2, stop.signal);
  startFakeKubelet(cp.client, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const slices = async () => (await cp.client.list<EndpointSlice>({ group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default' }, { labelSelector: 'kubernetes.io/service-name=web' })).items;

test('EndpointSlices follow the pods of a service', async () => {
  await cp.client.create({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } } as KObject);
  await waitFor('placeholder slice', async () => { const s = await slices(); return s.length === 1 && (s[0].endpoints ?? []).length === 0; });
  for (const n of ['a', 'b']) {
    await cp.client.create({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KObject);
  }
  const [s] = await waitFor('2 ready endpoints', async () => { const x = await slices(); return x.length === 1 && x[0].endpoints?.filter((e) => e.conditions?.ready).length === 2 && x; });
  assert.equal(s.ports?.[0].port, 8080);
  assert.equal(s.addressType, 'IPv4');
  assert.equal(s.metadata?.ownerReferences?.[0].kind, 'Service');
});
