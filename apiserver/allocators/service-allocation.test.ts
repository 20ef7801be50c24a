import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useEtcd } from './etcd-fixture.js';
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import { EtcdServiceAllocation } from './index.js';

const etcd = useEtcd();
let n = 0;
const fresh = () => EtcdServiceAllocation.create(etcd(), { prefix: `/sa${++n}`, serviceClusterIPRange: '10.96.0.0/12', serviceNodePortRange: '30000-32767' });

function svc(name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: structuredClone(spec) };
}
const spec = (o: KObject) => o.spec as any;

test('ClusterIP service gets an address; NodePort service gets ports; headless and ExternalName get nothing', async () => {
  const a = fresh();
  const s1 = svc('a', { ports: [{ port: 80 }] });
  await a.allocate(s1, false);
  assert.ok(a.ips.contains(spec(s1).clusterIP));
  assert.deepEqual(spec(s1).clusterIPs, [spec(s1).clusterIP]);
  assert.equal(spec(s1).ports[0].nodePort, undefined);

  const s2 = svc('b', { type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP', nodePort: 30053 }, { port: 53, protocol: 'TCP', nodePort: 30053 }] });
  await a.allocate(s2, false);
  assert.ok(a.ports.contains(spec(s2).ports[0].nodePort));
  assert.equal(spec(s2).ports[1].nodePort, 30053);
  assert.equal(spec(s2).ports[2].nodePort, 30053, 'same port for TCP and UDP is one allocation');

  const headless = svc('h', { clusterIP: 'None', ports: [{ port: 80 }] });
  const ext = svc('e', { type: 'ExternalName', externalName: 'example.com' });
  await a.allocate(headless, false);
  await a.allocate(ext, false);
  assert.equal(spec(headless).clusterIP, 'None');
  assert.equal(spec(ext).clusterIP, undefined);
  assert.equal((await a.ips.allocated()).length, 2);

  const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
  await a.allocate(lb, false);
  assert.ok(spec(lb).healthCheckNodePort >= 30000);
  assert.notEqual(spec(lb).healthCheckNodePort, spec(lb).ports[0].nodePort);
});

test('a taken ClusterIP or nodePort is 422 on the field, and nothing stays allocated', async () => {
  const a = fresh();
  await a.allocate(svc('dns', { clusterIP: '10.96.0.10', ports: [{ port: 53 }] }), false);
  await assert.rejects(a.allocate(svc('dup', { clusterIP: '10.96.0.10', ports: [{ port: 53 }] }), false), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'Invalid');
    assert.equal(e.message, 'Service "dup" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    return true;
  });
  await a.allocate(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), false);
  const before = (await a.ips.allocated()).length;
  await assert.rejects(a.allocate(svc('np2', { type: 'NodePort', ports: [{ port: 81 }, { port: 80, nodePort: 30080 }] }), false),
    (e: unknown) => e instanceof ApiError && e.message === 'Service "np2" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
  assert.equal((await a.ips.allocated()).length, before, 'the IP taken before the failure was given back');
  assert.deepEqual(await a.ports.allocated(), [30080], 'the random port taken before the failure was given back');
});

test('undo gives back a create that failed to persist; dry run allocates nothing', async () => {
  const a = fresh();
  const s = svc('x', { type: 'NodePort', ports: [{ port: 80 }] });
  const undo = await a.allocate(s, false);
  await undo();
  assert.equal(await a.ips.isAllocated(spec(s).clusterIP), false);
  assert.equal(await a.ports.isAllocated(spec(s).ports[0].nodePort), false);
  const dry = svc('d', { type: 'NodePort', ports: [{ port: 80 }] });
  await a.allocate(dry, true);
  assert.ok(spec(dry).clusterIP, 'dry run still fills the fields');
  assert.deepEqual(await a.ips.allocated(), []);
  assert.deepEqual(await a.ports.allocated(), []);
});

test('update: type changes allocate and release, kept ports are not reallocated', async () => {
  const a = fresh();
  const old = svc('u', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 443, nodePort: 30443 }] });
  await a.allocate(old, false);
  // NodePort → ClusterIP keeping the address: both node ports are released after the write
  const toClusterIP = svc('u', { type: 'ClusterIP', clusterIP: spec(old).clusterIP, ports: [{ port: 80 }, { port: 443 }] });
  const r1 = await a.update(toClusterIP, old, false);
  await r1.releaseOld();
  assert.deepEqual(await a.ports.allocated(), []);
  assert.equal(await a.ips.isAllocated(spec(old).clusterIP), true);
  // ClusterIP → NodePort with one port kept from nothing: new ports are allocated, undo frees them
  const toNodePort = svc('u', { type: 'NodePort', clusterIP: spec(old).clusterIP, ports: [{ port: 80 }] });
  const r2 = await a.update(toNodePort, toClusterIP, false);
  const port = spec(toNodePort).ports[0].nodePort;
  assert.equal(await a.ports.isAllocated(port), true);
  await r2.undo();
  assert.equal(await a.ports.isAllocated(port), false);
  // → ExternalName releases the address
  const ext = svc('u', { type: 'ExternalName', externalName: 'example.com' });
  const r3 = await a.update(ext, toClusterIP, false);
  await r3.releaseOld();
  assert.deepEqual(await a.ips.allocated(), []);
});

test('release frees everything a service holds; repair matches etcd to the services', async () => {
  const a = fresh();
  const s = svc('r', { type: 'NodePort', ports: [{ port: 80 }] });
  await a.allocate(s, false);
  await a.release(s);
  assert.deepEqual(await a.ips.allocated(), []);
  assert.deepEqual(await a.ports.allocated(), []);
  const kept = svc('k', { type: 'NodePort', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'], ports: [{ port: 80, nodePort: 31000 }] });
  await a.ips.allocate('10.96.7.7'); // leaked by a crashed apiserver
  await a.repair([kept], { graceMs: 0 });
  assert.deepEqual(await a.ips.allocated(), ['10.96.5.5']);
  assert.deepEqual(await a.ports.allocated(), [31000]);
});
