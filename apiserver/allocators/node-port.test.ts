import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useEtcd } from './etcd-fixture.js';
import { ApiError } from '../../lib/errors.js';
import { NodePortAllocator, parsePortRange } from './index.js';

const etcd = useEtcd();
let n = 0;
const prefix = () => `/np${++n}`;

async function expectApiError(p: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code && e.message === message);
}

test('port range parsing', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('8080'), { base: 8080, size: 1 });
  for (const bad of ['', '1-', '32767-30000', '0-10', '1-70000', 'a-b']) assert.throws(() => parsePortRange(bad), ApiError, bad);
});

test('50 concurrent allocations get 50 distinct ports in range; keys live under ranges/servicenodeports', async () => {
  const p = prefix();
  const a = new NodePortAllocator(etcd(), '30000-32767', { prefix: p });
  const ports = await Promise.all(Array.from({ length: 50 }, () => a.allocate()));
  assert.equal(new Set(ports).size, 50);
  for (const port of ports) assert.ok(port >= 30000 + 86 && port <= 32767, `${port} from the dynamic band`);
  const keys = await etcd().getAll().prefix(`${p}/ranges/servicenodeports/`).keys();
  assert.equal(keys.length, 50);
});

test('requested ports: taken → Invalid, out of range → Invalid, release + reallocate', async () => {
  const a = new NodePortAllocator(etcd(), '30000-32767', { prefix: prefix() });
  assert.equal(await a.allocate(30080), 30080);
  assert.equal(await a.allocate('30081'), 30081);
  await expectApiError(a.allocate(30080), 'Invalid', 'provided port is already allocated');
  await expectApiError(a.allocate(8080), 'Invalid', 'provided port is not in the valid range. The range of valid ports is 30000-32767');
  await expectApiError(a.allocate('x'), 'Invalid', 'provided port x is not a valid port number');
  await a.release(30080);
  assert.equal(await a.isAllocated(30080), false);
  assert.equal(await a.allocate(30080), 30080);
});

test('two allocators sharing etcd: no double allocation, then range is full', async () => {
  const p = prefix();
  const a = new NodePortAllocator(etcd(), '31000-31009', { prefix: p });
  const b = new NodePortAllocator(etcd(), '31000-31009', { prefix: p });
  const ports = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).allocate()));
  assert.deepEqual([...ports].sort(), [31000, 31001, 31002, 31003, 31004, 31005, 31006, 31007, 31008, 31009]);
  await expectApiError(b.allocate(), 'Internal', 'Internal error occurred: failed to allocate a nodePort: range is full');
});

test('repair releases ports no service uses', async () => {
  const a = new NodePortAllocator(etcd(), '30000-32767', { prefix: prefix() });
  await a.allocate(30001);
  await a.allocate(30002);
  const { released, restored } = await a.repair([30002, 30003]);
  assert.deepEqual(released, [30001]);
  assert.deepEqual(restored, [30003]);
  assert.deepEqual((await a.allocated()).sort(), [30002, 30003]);
});
