import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useEtcd } from './etcd-fixture.js';
import { ApiError } from '../../lib/errors.js';
import { ClusterIPAllocator, serviceIPRange } from './index.js';

const etcd = useEtcd();
let n = 0;
const prefix = () => `/t${++n}`;

async function expectApiError(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('range math: network and broadcast excluded, static band as Kubernetes', () => {
  const r = serviceIPRange('10.96.0.0/12');
  assert.equal(r.size, 2n ** 20n - 2n);
  assert.equal(r.staticBand, 256n);
  assert.equal(r.itemAt(0n), '10.96.0.1');
  assert.equal(r.indexOf('10.96.0.10'), 9n);
  assert.equal(r.indexOf('10.96.0.0'), undefined);
  assert.equal(r.indexOf('10.111.255.255'), undefined);
  assert.equal(r.indexOf('10.111.255.254'), r.size - 1n);
  assert.equal(r.indexOf('10.112.0.1'), undefined);
  assert.equal(r.indexOf('fd00::1'), undefined);
  const small = serviceIPRange('192.168.5.0/29');
  assert.equal(small.size, 6n);
  assert.equal(small.staticBand, 0n);
  assert.equal(serviceIPRange('10.0.0.0/24').staticBand, 16n);
  assert.throws(() => serviceIPRange('10.0.0.0/33'), ApiError);
  assert.throws(() => serviceIPRange('10.0.0.1/32'), ApiError);
});

test('50 concurrent allocations get 50 distinct addresses from the upper band', async () => {
  const a = new ClusterIPAllocator(etcd(), '10.96.0.0/12', { prefix: prefix() });
  const ips = await Promise.all(Array.from({ length: 50 }, () => a.allocate()));
  assert.equal(new Set(ips).size, 50);
  const r = serviceIPRange('10.96.0.0/12');
  for (const ip of ips) {
    const i = r.indexOf(ip);
    assert.ok(i !== undefined && i >= 256n, `${ip} outside the dynamic band`);
    assert.equal(await a.isAllocated(ip), true);
  }
  assert.equal((await a.allocated()).length, 50);
});

test('requested addresses: .1 and .10 on request, taken → Invalid, out of range → Invalid', async () => {
  const a = new ClusterIPAllocator(etcd(), '10.96.0.0/12', { prefix: prefix() });
  assert.equal(await a.allocate('10.96.0.1'), '10.96.0.1');
  assert.equal(await a.allocate('10.96.0.10'), '10.96.0.10');
  await expectApiError(a.allocate('10.96.0.10'), 'Invalid', 'failed to allocate IP 10.96.0.10: provided IP is already allocated');
  await expectApiError(a.allocate('10.0.0.5'), 'Invalid', 'failed to allocate IP 10.0.0.5: provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  await expectApiError(a.allocate('10.96.0.0'), 'Invalid', /not in the valid range/);
  await expectApiError(a.allocate('not-an-ip'), 'Invalid', /must be a valid IP address/);
  const err = await a.allocate('10.96.0.10').catch((e: ApiError) => e);
  assert.equal((err as ApiError).httpStatus, 422);
});

test('release then reallocate the same address', async () => {
  const a = new ClusterIPAllocator(etcd(), '10.96.0.0/12', { prefix: prefix() });
  const ip = await a.allocate();
  await a.release(ip);
  assert.equal(await a.isAllocated(ip), false);
  assert.equal(await a.allocate(ip), ip);
  await a.release('10.96.9.9'); // releasing a free address is fine
});

test('two allocators on one etcd never hand out the same address; exhaustion is a clear error', async () => {
  const p = prefix();
  const a = new ClusterIPAllocator(etcd(), '10.0.0.0/28', { prefix: p });
  const b = new ClusterIPAllocator(etcd(), '10.0.0.0/28', { prefix: p });
  const ips = await Promise.all(Array.from({ length: 14 }, (_, i) => (i % 2 ? a : b).allocate()));
  assert.equal(new Set(ips).size, 14);
  assert.ok(ips.every((ip) => a.contains(ip)), `all inside 10.0.0.1-10.0.0.14: ${ips.join(' ')}`);
  await expectApiError(a.allocate(), 'Internal', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  await expectApiError(b.allocate(ips[3]), 'Invalid', /already allocated/);
  await b.release(ips[5]);
  assert.equal(await a.allocate(), ips[5]);
});

test('the static band is used once the upper band is full', async () => {
  const a = new ClusterIPAllocator(etcd(), '10.1.0.0/26', { prefix: prefix() }); // 62 usable, 16 static
  const got = [];
  for (let i = 0; i < 46; i++) got.push(await a.allocate());
  const r = serviceIPRange('10.1.0.0/26');
  assert.ok(got.every((ip) => r.indexOf(ip)! >= 16n), 'upper band first');
  const next = await a.allocate();
  assert.ok(r.indexOf(next)! < 16n, `${next} from the static band`);
});

test('repair frees leaked addresses and restores missing ones', async () => {
  const a = new ClusterIPAllocator(etcd(), '10.96.0.0/12', { prefix: prefix() });
  const used = await a.allocate('10.96.1.1');
  const leaked = await a.allocate('10.96.1.2');
  const young = await a.allocate('10.96.1.3');
  const { restored, released } = await a.repair([used, '10.96.1.4', '192.168.0.1'], { graceMs: 0 });
  assert.deepEqual(restored, ['10.96.1.4']);
  assert.deepEqual(released.sort(), [leaked, young].sort());
  assert.deepEqual((await a.allocated()).sort(), ['10.96.1.1', '10.96.1.4']);
  const fresh = await a.allocate('10.96.1.5');
  const again = await a.repair([used], { graceMs: 60_000 });
  assert.deepEqual(again.released, [], 'claims younger than the grace period stay');
  assert.equal(await a.isAllocated(fresh), true);
});

test('IPv6 service range', async () => {
  const a = new ClusterIPAllocator(etcd(), 'fd00:10:96::/112', { prefix: prefix() });
  assert.equal(await a.allocate('fd00:10:96::a'), 'fd00:10:96::a');
  const ip = await a.allocate();
  assert.ok(a.contains(ip));
  assert.match(ip, /^fd00:10:96::/);
});
