import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { IpPool, ServiceLBController } from './service-lb.js';
import type { Service } from '../../lib/api/types.js';

test('IpPool: ranges and CIDRs, lowest free first, bad input rejected', () => {
  const p = new IpPool('10.200.0.200-10.200.0.202');
  assert.equal(p.next(new Set()), '10.200.0.200');
  assert.equal(p.next(new Set(['10.200.0.200'])), '10.200.0.201');
  assert.equal(p.next(new Set(['10.200.0.200', '10.200.0.201', '10.200.0.202'])), undefined);
  assert.ok(p.contains('10.200.0.202') && !p.contains('10.200.0.203'));
  assert.equal(new IpPool('192.168.5.0/30').next(new Set()), '192.168.5.1');
  assert.throws(() => new IpPool('10.0.0.9-10.0.0.1'), /empty/);
  assert.throws(() => new IpPool('nope'), /not an IPv4 address/);
});

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new ServiceLBController(informers, cp.client, { event: () => undefined }, '10.200.0.200-10.200.0.201');
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const SVC = { resource: 'services', namespace: 'default' };
async function lb(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await cp.client.create<Service>(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...extra } });
}
const ipOf = async (name: string) => (await cp.client.get<Service>({ ...SVC, name })).status?.loadBalancer?.ingress?.[0]?.ip;

test('LoadBalancer services get distinct pool IPs; loadBalancerIP honoured when free; IPs come back on delete and type change', async () => {
  await lb('want', { loadBalancerIP: '10.200.0.201' });
  assert.equal(await waitFor('want gets its IP', () => ipOf('want')), '10.200.0.201');
  await lb('first');
  assert.equal(await waitFor('first gets an IP', () => ipOf('first')), '10.200.0.200');
  await lb('third');
  await cp.client.create<Service>(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'plain' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
  // Pool exhausted: third waits; deleting `want` frees .201 for it.
  await waitFor('plain seen', () => cp.client.get({ ...SVC, name: 'plain' }));
  assert.equal(await ipOf('third'), undefined);
  await cp.client.delete({ ...SVC, name: 'want' });
  assert.equal(await waitFor('third gets the freed IP', () => ipOf('third')), '10.200.0.201');
  // first stops being a LoadBalancer: its IP is withdrawn.
  await cp.client.patch({ ...SVC, name: 'first' }, 'merge', { spec: { type: 'ClusterIP', externalTrafficPolicy: null, ports: [{ port: 80 }] } });
  await waitFor('first loses its IP', async () => (await ipOf('first')) === undefined);
  assert.equal(await ipOf('plain'), undefined, 'a ClusterIP service never gets one');
});
