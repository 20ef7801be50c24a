import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry({ serviceClusterIPRange: '10.96.0.0/24', serviceNodePortRange: '30000-30099' }); });
after(async () => { await t?.stop(); });

interface Spec { clusterIP?: string; type?: string; ports?: { name?: string; port: number; nodePort?: number }[] }
const svc = (name: string, spec: Spec = {}): KObject => ({ metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });
const specOf = (o: KObject) => o.spec as Spec;
const claimed = async (what: 'serviceips' | 'servicenodeports') => (await t.client.getAll().prefix(`/registry/ranges/${what}/`).keys()).length;

test('a ClusterIP is allocated on create, a requested one honoured, a taken one is 422', async () => {
  const a = await t.reg.create(ctx, R.services, 'default', svc('ip-a'));
  assert.match(specOf(a).clusterIP!, /^10\.96\.0\.\d+$/);
  const b = await t.reg.create(ctx, R.services, 'default', svc('ip-b', { clusterIP: '10.96.0.77' }));
  assert.equal(specOf(b).clusterIP, '10.96.0.77');
  await expectApiError(t.reg.create(ctx, R.services, 'default', svc('ip-c', { clusterIP: '10.96.0.77' })), 'Invalid', /spec.clusterIPs.*provided IP is already allocated/);
  const h = await t.reg.create(ctx, R.services, 'default', svc('headless', { clusterIP: 'None' }));
  assert.equal(specOf(h).clusterIP, 'None');
});

test('NodePort services get a node port per port; a taken one is 422 on the port field', async () => {
  const n = await t.reg.create(ctx, R.services, 'default', svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30050 }] }));
  const ports = specOf(n).ports!;
  assert.ok(ports[0].nodePort! >= 30000 && ports[0].nodePort! <= 30099);
  assert.equal(ports[1].nodePort, 30050);
  await expectApiError(t.reg.create(ctx, R.services, 'default', svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30050 }] })), 'Invalid', /spec.ports\[0\].nodePort.*provided port is already allocated/);
});

test('allocations are released on delete and when the create fails', async () => {
  const ips = await claimed('serviceips');
  const ports = await claimed('servicenodeports');
  await t.reg.create(ctx, R.services, 'default', svc('tmp', { type: 'NodePort' }));
  assert.equal(await claimed('serviceips'), ips + 1);
  assert.equal(await claimed('servicenodeports'), ports + 1);
  await expectApiError(t.reg.create(ctx, R.services, 'default', svc('tmp', { type: 'NodePort' })), 'AlreadyExists');
  assert.equal(await claimed('serviceips'), ips + 1, 'the failed create gave its IP back');
  assert.equal(await claimed('servicenodeports'), ports + 1);
  await t.reg.delete(ctx, R.services, 'default', 'tmp', {});
  assert.equal(await claimed('serviceips'), ips);
  assert.equal(await claimed('servicenodeports'), ports);
  await t.reg.create({ ...ctx, dryRun: true }, R.services, 'default', svc('dry', { type: 'NodePort' }));
  assert.equal(await claimed('serviceips'), ips, 'dry run keeps nothing');
});

test('the ClusterIP is kept on update and cannot be changed', async () => {
  const s = await t.reg.create(ctx, R.services, 'default', svc('keep'));
  const ip = specOf(s).clusterIP;
  const u = await t.reg.update(ctx, R.services, 'default', 'keep', { ...s, metadata: { ...s.metadata, labels: { a: 'b' } } });
  assert.equal(specOf(u).clusterIP, ip);
  await expectApiError(t.reg.update(ctx, R.services, 'default', 'keep', { ...u, spec: { ...specOf(u), clusterIP: '10.96.0.200', clusterIPs: ['10.96.0.200'] } }), 'Invalid', /spec.clusterIP/);
});

test('50 concurrent service creates never share an IP', async () => {
  await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name: 'many' } });
  const created = await Promise.all(Array.from({ length: 50 }, (_, i) => t.reg.create(ctx, R.services, 'many', svc(`s${i}`, { type: 'NodePort' }))));
  const ips = created.map((s) => specOf(s).clusterIP);
  assert.equal(new Set(ips).size, 50);
  const nodePorts = created.map((s) => specOf(s).ports![0].nodePort);
  assert.equal(new Set(nodePorts).size, 50);
  assert.equal((await t.reg.list(ctx, R.services, 'many', {})).items.length, 50);
});
