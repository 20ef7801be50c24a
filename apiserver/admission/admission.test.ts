import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { formatQuantity } from '../../lib/api/quantity.js';
import { waitFor } from '../../lib/testing/wait.js';
import { adminCtx as ctx, expectApiError, R, startTestRegistry, type TestRegistry } from '../registry/testing.js';
import { AdmissionChain } from './chain.js';
import { objectUsage, missingCompute } from './quota-usage.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry(); });
after(async () => { await t?.stop(); });

const quotas = { group: '', version: 'v1', resource: 'resourcequotas' };
const limitranges = { group: '', version: 'v1', resource: 'limitranges' };
const pod = (name: string, resources?: object): KObject => ({ metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx', ...(resources ? { resources } : {}) }] } });
const ns = async (name: string) => { await t.reg.create(ctx, R.namespaces, undefined, { metadata: { name } }); };

test('the chain runs mutating plugins before validating ones', async () => {
  const seen: string[] = [];
  const chain = new AdmissionChain([
    { name: 'v1', type: 'validating', admit: () => { seen.push('v1'); } },
    { name: 'm1', type: 'mutating', admit: () => { seen.push('m1'); } },
  ]);
  assert.deepEqual(chain.names(), ['m1', 'v1']);
  const attrs = {} as never;
  await chain.mutate(attrs);
  await chain.validate(attrs);
  assert.deepEqual(seen, ['m1', 'v1']);
});

test('quota usage of objects (pure)', () => {
  const p = pod('p', { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
  const u = objectUsage('', 'pods', p);
  assert.equal(formatQuantity(u['requests.cpu']), '250m');
  assert.equal(formatQuantity(u['limits.memory']), '128Mi');
  assert.equal(formatQuantity(u.pods), '1');
  assert.equal(formatQuantity(u['count/pods']), '1');
  assert.deepEqual(Object.keys(objectUsage('', 'pods', { ...p, status: { phase: 'Succeeded' } })), []);
  assert.equal(formatQuantity(objectUsage('apps', 'deployments', {})['count/deployments.apps']), '1');
  assert.equal(formatQuantity(objectUsage('', 'services', { spec: { type: 'NodePort', ports: [{}, {}] } })['services.nodeports']), '2');
  assert.deepEqual(missingCompute(pod('x'), ['limits.cpu', 'pods', 'requests.memory']), ['limits.cpu', 'requests.memory']);
});

test('LimitRange: defaults requests/limits with the annotation, rejects what breaks max/min', async () => {
  await ns('lr');
  await t.reg.create(ctx, limitranges, 'lr', { metadata: { name: 'lim' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' }, min: { cpu: '50m' } }] } });
  const p = await t.reg.create(ctx, R.pods, 'lr', pod('defaulted'));
  const res = (p.spec as { containers: { resources: { requests: Record<string, string>; limits: Record<string, string> } }[] }).containers[0].resources;
  assert.deepEqual(res.limits, { cpu: '500m', memory: '128Mi' });
  assert.equal(res.requests.cpu, '100m');
  assert.equal(res.requests.memory, '128Mi', 'requests default to the default limit without a defaultRequest');
  assert.match(p.metadata!.annotations!['kubernetes.io/limit-ranger'], /^LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app$/);
  await expectApiError(t.reg.create(ctx, R.pods, 'lr', pod('big', { limits: { cpu: '2' } })), 'Forbidden', 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  await expectApiError(t.reg.create(ctx, R.pods, 'lr', pod('small', { requests: { cpu: '10m' } })), 'Forbidden', /minimum cpu usage per Container is 50m, but request is 10m/);
});

test('ResourceQuota: counts, exceeded quota is 403, status.used follows writes', async () => {
  await ns('rq');
  await t.reg.create(ctx, quotas, 'rq', { metadata: { name: 'counts' }, spec: { hard: { pods: '2', configmaps: '5' } } });
  await t.reg.create(ctx, R.pods, 'rq', pod('a'));
  await t.reg.create(ctx, R.pods, 'rq', pod('b'));
  await expectApiError(t.reg.create(ctx, R.pods, 'rq', pod('c')), 'Forbidden', 'pods "c" is forbidden: exceeded quota: counts, requested: pods=1, used: pods=2, limited: pods=2');
  let q = await t.reg.get(ctx, quotas, 'rq', 'counts');
  assert.deepEqual(q.status, { hard: { pods: '2', configmaps: '5' }, used: { pods: '2', configmaps: '0' } });
  await t.reg.delete(ctx, R.pods, 'rq', 'a', {});
  q = await t.reg.get(ctx, quotas, 'rq', 'counts');
  assert.equal((q.status as { used: Record<string, string> }).used.pods, '1');
  await t.reg.create(ctx, R.pods, 'rq', pod('c'));
  await t.reg.create({ ...ctx, dryRun: true }, R.configmaps, 'rq', { metadata: { name: 'dry' }, data: {} });
  assert.equal(((await t.reg.get(ctx, quotas, 'rq', 'counts')).status as { used: Record<string, string> }).used.configmaps, '0', 'dry runs are not counted');
});

test('ResourceQuota on compute: must specify, and sums of requests', async () => {
  await ns('rqc');
  await t.reg.create(ctx, quotas, 'rqc', { metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '1', 'limits.memory': '1Gi' } } });
  await expectApiError(t.reg.create(ctx, R.pods, 'rqc', pod('bare')), 'Forbidden', 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory,requests.cpu');
  const res = { requests: { cpu: '600m' }, limits: { memory: '256Mi' } };
  await t.reg.create(ctx, R.pods, 'rqc', pod('one', res));
  await expectApiError(t.reg.create(ctx, R.pods, 'rqc', pod('two', res)), 'Forbidden', 'pods "two" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
  const q = await t.reg.get(ctx, quotas, 'rqc', 'compute');
  assert.deepEqual((q.status as { used: Record<string, string> }).used, { 'requests.cpu': '600m', 'limits.memory': '256Mi' });
});

test('Priority: classes resolve to spec.priority; unknown is 403; system classes exist; global default applies', async () => {
  const pcs = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };
  assert.equal((await t.reg.get(ctx, pcs, undefined, 'system-node-critical') as { value?: number }).value, 2_000_001_000);
  await ns('prio');
  await t.reg.create(ctx, pcs, undefined, { metadata: { name: 'high' }, value: 1000 } as KObject);
  const p = await t.reg.create(ctx, R.pods, 'prio', { ...pod('hi'), spec: { ...(pod('hi').spec as object), priorityClassName: 'high' } });
  assert.equal((p.spec as { priority: number }).priority, 1000);
  assert.equal((p.spec as { preemptionPolicy: string }).preemptionPolicy, 'PreemptLowerPriority');
  await expectApiError(t.reg.create(ctx, R.pods, 'prio', { ...pod('x'), spec: { ...(pod('x').spec as object), priorityClassName: 'nope' } }), 'Forbidden', 'pods "x" is forbidden: no PriorityClass with name nope was found');
  assert.equal(((await t.reg.create(ctx, R.pods, 'prio', pod('plain'))).spec as { priority: number }).priority, 0);
  await t.reg.create(ctx, pcs, undefined, { metadata: { name: 'everyone' }, value: 7, globalDefault: true } as KObject);
  const d = await t.reg.create(ctx, R.pods, 'prio', pod('defaulted'));
  assert.equal((d.spec as { priority: number }).priority, 7);
  assert.equal((d.spec as { priorityClassName: string }).priorityClassName, 'everyone');
});

test('Priority: without a class a hand-set priority is kept; with one it must agree', async () => {
  await ns('prio2');
  await t.reg.delete(ctx, { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' }, undefined, 'everyone', {}); // no global default here
  const kept = await t.reg.create(ctx, R.pods, 'prio2', { ...pod('hand'), spec: { ...(pod('hand').spec as object), priority: 42 } });
  assert.equal((kept.spec as { priority: number }).priority, 42);
  await expectApiError(t.reg.create(ctx, R.pods, 'prio2', { ...pod('clash'), spec: { ...(pod('clash').spec as object), priority: 5, priorityClassName: 'system-node-critical' } }), 'Forbidden', /must not be provided in pod spec; priority admission controller computed 2000001000/);
});

test('ResourceQuota holds under 20 concurrent creates (creates in a quota namespace are serialized)', async () => {
  await ns('race');
  await t.reg.create(ctx, quotas, 'race', { metadata: { name: 'five' }, spec: { hard: { pods: '5' } } });
  await waitFor('quota in the watch cache', async () => (await t.reg.list(ctx, quotas, 'race', { resourceVersion: '0' })).items.length === 1);
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => t.reg.create(ctx, R.pods, 'race', pod(`r${i}`))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
  for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason?.message), /exceeded quota: five/);
  assert.equal((await t.reg.list(ctx, R.pods, 'race', {})).items.length, 5);
});

test('ResourceQuota never overshoots under 50 concurrent creates: cpu requests, pod and configmap counts', async () => {
  await ns('race50');
  await t.reg.create(ctx, quotas, 'race50', { metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '2', pods: '40', configmaps: '7' } } });
  await waitFor('quota in the watch cache', async () => (await t.reg.list(ctx, quotas, 'race50', { resourceVersion: '0' })).items.length === 1);
  const sized = (i: number) => pod(`c${i}`, { requests: { cpu: '100m', memory: '10Mi' }, limits: { cpu: '200m', memory: '10Mi' } });
  const [pods, cms] = await Promise.all([
    Promise.allSettled(Array.from({ length: 50 }, (_, i) => t.reg.create(ctx, R.pods, 'race50', sized(i)))),
    Promise.allSettled(Array.from({ length: 50 }, (_, i) => t.reg.create(ctx, R.configmaps, 'race50', { metadata: { name: `cm${i}` }, data: { i: String(i) } }))),
  ]);
  // 1 cpu of requests / 100m each: exactly 10 pods; 7 configmaps (none exist in a fresh namespace).
  assert.equal(pods.filter((r) => r.status === 'fulfilled').length, 10);
  assert.equal(cms.filter((r) => r.status === 'fulfilled').length, 7);
  for (const r of [...pods, ...cms]) if (r.status === 'rejected') assert.match(String(r.reason?.message), /exceeded quota: compute/);
  assert.equal((await t.reg.list(ctx, R.pods, 'race50', {})).items.length, 10);
  await waitFor('used matches what exists', async () => {
    const q = await t.reg.get(ctx, quotas, 'race50', 'compute') as { status?: { used?: Record<string, string> } };
    const used = q.status?.used ?? {};
    return used.pods === '10' && used.configmaps === '7' && used['requests.cpu'] === '1' && used['limits.cpu'] === '2';
  }, { timeoutMs: 10_000 });
});
