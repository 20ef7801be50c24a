import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { EndpointsController } from './endpoints.js';
import type { KObject } from '../../lib/api/object.js';
import type { Endpoints, Pod } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new EndpointsController(informers, cp.client);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(2, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

async function pod(name: string, labels: Record<string, string>, ip: string, ready: boolean): Promise<void> {
  const created = await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
  } as Pod);
  created.status = { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  await cp.client.updateStatus({ resource: 'pods', namespace: 'default' }, created);
}

test('Endpoints list ready and not-ready pods that carry every selector label, with named ports resolved', async () => {
  await pod('both', { app: 'kubia', rel: 'stable' }, '10.244.1.5', true);
  await pod('onlyone', { app: 'kubia' }, '10.244.1.6', true);
  await pod('notready', { app: 'kubia', rel: 'stable' }, '10.244.2.7', false);
  await cp.client.create({ resource: 'services', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubia', labels: { team: 'a' } },
    spec: { selector: { app: 'kubia', rel: 'stable' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
  } as KObject);
  const ep = await waitFor('endpoints', async () => {
    const e = await cp.client.get<Endpoints>({ resource: 'endpoints', namespace: 'default', name: 'kubia' }).catch(() => undefined);
    return e?.subsets?.length ? e : undefined;
  });
  assert.deepEqual(ep.metadata?.labels, { team: 'a' });
  const s = ep.subsets![0];
  assert.deepEqual(s.addresses?.map((a) => a.ip), ['10.244.1.5'], 'a pod with only one of the two selector labels is skipped');
  assert.deepEqual(s.notReadyAddresses?.map((a) => a.ip), ['10.244.2.7']);
  assert.equal(s.ports?.[0].port, 8080);
  assert.equal(s.ports?.[0].name, 'web');
  assert.equal(s.addresses?.[0].targetRef?.name, 'both');

  // The pod becomes ready: it moves to addresses.
  const p = await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'notready' });
  p.status!.conditions = [{ type: 'Ready', status: 'True' }];
  await cp.client.updateStatus({ resource: 'pods', namespace: 'default' }, p);
  await waitFor('both ready', async () => {
    const e = await cp.client.get<Endpoints>({ resource: 'endpoints', namespace: 'default', name: 'kubia' });
    return e.subsets?.[0]?.addresses?.length === 2 && !e.subsets[0].notReadyAddresses;
  });
  // Service deleted: its endpoints go too.
  await cp.client.delete({ resource: 'services', namespace: 'default', name: 'kubia' });
  await waitFor('endpoints gone', async () => !(await cp.client.get({ resource: 'endpoints', namespace: 'default', name: 'kubia' }).catch(() => undefined)));
});

test('a Service without selector keeps user-managed Endpoints', async () => {
  await cp.client.create({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 80 }] } } as KObject);
  await cp.client.create({ resource: 'endpoints', namespace: 'default' }, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '10.200.0.99' }], ports: [{ port: 80 }] }] } as KObject);
  await cp.client.patch({ resource: 'services', namespace: 'default', name: 'external' }, 'merge', { metadata: { labels: { touched: 'yes' } } });
  // Give the controller a chance to (wrongly) act, then check nothing changed.
  await waitFor('service update observed', async () => (await cp.client.get({ resource: 'services', namespace: 'default', name: 'external' })).metadata?.labels?.touched === 'yes');
  const e = await cp.client.get<Endpoints>({ resource: 'endpoints', namespace: 'default', name: 'external' });
  assert.equal(e.subsets?.[0]?.addresses?.[0]?.ip, '10.200.0.99');
});
