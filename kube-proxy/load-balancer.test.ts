import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadBalancer } from './load-balancer.js';
import type { EndpointInfo } from './endpoints.js';
import type { ServicePortInfo } from './service-port.js';

const info = (over: Partial<ServicePortInfo> = {}): ServicePortInfo => ({
  key: 'ns/s:/TCP', namespace: 'ns', name: 's', portName: '', protocol: 'TCP', clusterIP: '10.96.0.1', port: 80, nodePort: 0,
  externalIPs: [], loadBalancerIPs: [], affinitySeconds: 0, externalLocal: false, internalLocal: false, healthCheckNodePort: 0, ...over,
});
const eps: EndpointInfo[] = [{ ip: '10.0.0.1', port: 80, nodeName: 'a' }, { ip: '10.0.0.2', port: 80, nodeName: 'b' }, { ip: '10.0.0.3', port: 80, nodeName: 'a' }];

test('round robin: each new connection starts at the next endpoint; the rest follow for retries', () => {
  const lb = new LoadBalancer(info(), 'a');
  lb.update(info(), eps);
  const firsts = Array.from({ length: 6 }, () => lb.candidates('1.1.1.1', 'internal')[0].ip);
  assert.deepEqual(firsts, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.deepEqual(lb.candidates('1.1.1.1', 'internal').map((e) => e.ip), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
});

test('ClientIP affinity sticks until the timeout, per client, and forgets endpoints that leave', () => {
  let now = 0;
  const i = info({ affinitySeconds: 10 });
  const lb = new LoadBalancer(i, 'a', () => now);
  lb.update(i, eps);
  const first = lb.candidates('1.1.1.1', 'internal')[0];
  lb.served('1.1.1.1', first);
  for (let k = 0; k < 5; k++) assert.equal(lb.candidates('1.1.1.1', 'internal')[0].ip, first.ip);
  // Another client is balanced on its own.
  assert.notEqual(lb.candidates('2.2.2.2', 'internal')[0].ip, first.ip);
  now = 11_000;
  const afterTimeout = lb.candidates('1.1.1.1', 'internal')[0];
  lb.served('1.1.1.1', afterTimeout);
  assert.equal(lb.candidates('1.1.1.1', 'internal')[0].ip, afterTimeout.ip);
  lb.update(i, eps.filter((e) => e.ip !== afterTimeout.ip));
  assert.notEqual(lb.candidates('1.1.1.1', 'internal')[0].ip, afterTimeout.ip);
});

test('no endpoints → no candidates; externalTrafficPolicy Local → only this node\'s for external traffic', () => {
  const lb = new LoadBalancer(info(), 'a');
  assert.deepEqual(lb.candidates('1.1.1.1', 'internal'), []);
  const local = info({ externalLocal: true, nodePort: 30000 });
  lb.update(local, eps);
  assert.deepEqual(lb.candidates('1.1.1.1', 'external').map((e) => e.ip).sort(), ['10.0.0.1', '10.0.0.3']);
  assert.equal(lb.size('internal'), 3);
  const other = new LoadBalancer(local, 'c');
  other.update(local, eps);
  assert.equal(other.size('external'), 0);
});
