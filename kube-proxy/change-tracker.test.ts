import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../lib/api/types.js';
import { applyChanges } from './change-tracker.js';
import { ServiceChangeTracker } from './service-change-tracker.js';
import { EndpointsChangeTracker } from './endpoints-change-tracker.js';
import { sameEndpoints, usableEndpoints, type EndpointInfo } from './endpoints.js';
import { samePort, servicePortsOf, type ServicePortInfo } from './service-port.js';

function svc(name: string, spec: Service['spec'], rv = '1', status?: Service['status']): Service {
  return { metadata: { namespace: 'ns1', name, resourceVersion: rv }, spec, status };
}

function eps(name: string, subsets: Endpoints['subsets']): Endpoints {
  return { metadata: { namespace: 'ns1', name }, subsets };
}

test('service ports: one entry per TCP/UDP port; headless and ExternalName give none', () => {
  const s = servicePortsOf(svc('web', {
    type: 'NodePort', clusterIP: '10.96.0.5', externalIPs: ['192.0.2.9'], sessionAffinity: 'ClientIP',
    externalTrafficPolicy: 'Local',
    ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
  }));
  assert.deepEqual([...s.keys()], ['ns1/web:http/TCP', 'ns1/web:dns/UDP']);
  const http = s.get('ns1/web:http/TCP')!;
  assert.equal(http.nodePort, 30080);
  assert.equal(http.affinitySeconds, 10_800);
  assert.equal(http.externalLocal, true);
  assert.deepEqual(http.externalIPs, ['192.0.2.9']);
  assert.equal(servicePortsOf(svc('h', { clusterIP: 'None', ports: [{ port: 80 }] })).size, 0);
  assert.equal(servicePortsOf(svc('x', { type: 'ExternalName', externalName: 'example.com' })).size, 0);
  // ClusterIP services never get a node port even if the field is set.
  assert.equal(servicePortsOf(svc('c', { clusterIP: '10.96.0.6', ports: [{ port: 80, nodePort: 30001 }] })).get('ns1/c:/TCP')!.nodePort, 0);
  const lb = servicePortsOf(svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.7', ports: [{ port: 80, nodePort: 30002 }] }, '1',
    { loadBalancer: { ingress: [{ ip: '192.0.2.50' }] } }));
  assert.deepEqual(lb.get('ns1/lb:/TCP')!.loadBalancerIPs, ['192.0.2.50']);
  // Garbage addresses are never bound (a name would be resolved by listen()).
  assert.equal(servicePortsOf(svc('g', { clusterIP: 'example.com', ports: [{ port: 80 }] })).size, 0);
  assert.deepEqual(servicePortsOf(svc('e', { clusterIP: '10.96.0.9', externalIPs: ['nope', '192.0.2.1'], ports: [{ port: 80 }] })).get('ns1/e:/TCP')!.externalIPs, ['192.0.2.1']);
});

test('service tracker: a burst of updates coalesces; a change back to the start disappears', () => {
  const t = new ServiceChangeTracker();
  const a = svc('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] });
  const b = svc('web', { clusterIP: '10.96.0.5', ports: [{ port: 81 }] }, '2');
  const c = svc('web', { clusterIP: '10.96.0.5', ports: [{ port: 82 }] }, '3');
  t.onAdd(a);
  const state = new Map<string, ServicePortInfo>();
  assert.deepEqual([...applyChanges(state, t.drain(), samePort)], ['ns1/web:/TCP']);
  t.onUpdate(a, b);
  t.onUpdate(b, c);
  assert.equal(t.size, 1);
  const changes = t.drain();
  assert.equal(changes.length, 1);
  assert.equal(changes[0].previous.get('ns1/web:/TCP')!.port, 80);
  assert.equal(changes[0].current.get('ns1/web:/TCP')!.port, 82);
  applyChanges(state, changes, samePort);
  assert.equal(state.get('ns1/web:/TCP')!.port, 82);
  // There and back again: nothing to sync.
  t.onUpdate(c, b);
  t.onUpdate(b, c);
  assert.equal(t.size, 0);
  // A label-only change does not change any service port.
  const relabeled = structuredClone(c);
  relabeled.metadata!.labels = { a: 'b' };
  t.onUpdate(c, relabeled);
  assert.equal(t.size, 0);
  t.onDelete(c);
  assert.deepEqual([...applyChanges(state, t.drain(), samePort)], ['ns1/web:/TCP']);
  assert.equal(state.size, 0);
});

test('service tracker: a removed port is touched, the unchanged port is not', () => {
  const t = new ServiceChangeTracker();
  const state = new Map<string, ServicePortInfo>();
  const a = svc('m', { clusterIP: '10.96.0.8', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] });
  t.onAdd(a);
  applyChanges(state, t.drain(), samePort);
  t.onUpdate(a, svc('m', { clusterIP: '10.96.0.8', ports: [{ name: 'a', port: 80 }] }, '2'));
  assert.deepEqual([...applyChanges(state, t.drain(), samePort)], ['ns1/m:b/TCP']);
  assert.deepEqual([...state.keys()], ['ns1/m:a/TCP']);
});

test('endpoints tracker: only ready addresses; named ports resolved per subset; TCP and UDP apart', () => {
  const t = new EndpointsChangeTracker();
  t.onAdd(eps('web', [
    { addresses: [{ ip: '10.244.1.2', nodeName: 'n1' }], notReadyAddresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 8080 }] },
    // Another pod whose named port "http" resolves to a different number.
    { addresses: [{ ip: '10.244.2.3', nodeName: 'n2' }], ports: [{ name: 'http', port: 9090 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
  ]));
  const state = new Map<string, EndpointInfo[]>();
  const touched = applyChanges(state, t.drain(), sameEndpoints);
  assert.deepEqual([...touched].sort(), ['ns1/web:dns/UDP', 'ns1/web:http/TCP']);
  assert.deepEqual(state.get('ns1/web:http/TCP'), [
    { ip: '10.244.1.2', port: 8080, nodeName: 'n1' }, { ip: '10.244.2.3', port: 9090, nodeName: 'n2' },
  ]);
  assert.deepEqual(state.get('ns1/web:dns/UDP'), [{ ip: '10.244.2.3', port: 53, nodeName: 'n2' }]);
});

test('endpoints tracker: an endpoint turning not-ready is a change of that port only', () => {
  const t = new EndpointsChangeTracker();
  const state = new Map<string, EndpointInfo[]>();
  const before = eps('web', [{ addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.1.3' }], ports: [{ port: 80 }] }]);
  const after = eps('web', [{ addresses: [{ ip: '10.244.1.2' }], notReadyAddresses: [{ ip: '10.244.1.3' }], ports: [{ port: 80 }] }]);
  t.onAdd(before);
  applyChanges(state, t.drain(), sameEndpoints);
  t.onUpdate(before, after);
  assert.deepEqual([...applyChanges(state, t.drain(), sameEndpoints)], ['ns1/web:/TCP']);
  assert.deepEqual(state.get('ns1/web:/TCP')!.map((e) => e.ip), ['10.244.1.2']);
  // All endpoints gone: the key goes away.
  t.onUpdate(after, eps('web', [{ notReadyAddresses: [{ ip: '10.244.1.2' }], ports: [{ port: 80 }] }]));
  applyChanges(state, t.drain(), sameEndpoints);
  assert.equal(state.has('ns1/web:/TCP'), false);
});

test('traffic policies: Local keeps only this node\'s endpoints for that kind of traffic', () => {
  const info = servicePortsOf(svc('web', {
    type: 'NodePort', clusterIP: '10.96.0.5', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }],
  })).get('ns1/web:/TCP')!;
  const all: EndpointInfo[] = [{ ip: '10.244.1.2', port: 80, nodeName: 'n1' }, { ip: '10.244.2.2', port: 80, nodeName: 'n2' }];
  assert.deepEqual(usableEndpoints(info, all, 'external', 'n1').map((e) => e.ip), ['10.244.1.2']);
  assert.equal(usableEndpoints(info, all, 'internal', 'n1').length, 2);
  const internal = { ...info, externalLocal: false, internalLocal: true };
  assert.deepEqual(usableEndpoints(internal, all, 'internal', 'n2').map((e) => e.ip), ['10.244.2.2']);
  assert.equal(usableEndpoints(internal, all, 'external', 'n2').length, 2);
});
