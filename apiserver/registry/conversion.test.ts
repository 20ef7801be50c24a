import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { adminCtx as ctx, R, startTestRegistry, take, type TestRegistry } from './testing.js';

let t: TestRegistry;
before(async () => { t = await startTestRegistry({ compactionIntervalMs: 0 }); });
after(async () => { await t?.stop(); });

const eventsV1 = { group: 'events.k8s.io', version: 'v1', resource: 'events' };
const hpaV1 = { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers' };
const hpaV2 = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };

test('events.k8s.io/v1 Events are stored as core/v1 Events and served in both shapes', async () => {
  const ac = new AbortController();
  try {
    const rv = (await t.reg.list(ctx, eventsV1, 'default', {})).metadata.resourceVersion;
    const it = t.reg.watch(ctx, eventsV1, 'default', { resourceVersion: rv }, ac.signal)[Symbol.asyncIterator]();
    const created = await t.reg.create(ctx, eventsV1, 'default', {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' }, eventTime: '2026-11-22T10:00:00.000000Z',
      reportingController: 'kubesim/test', reportingInstance: 'i1', action: 'Test', reason: 'Tested', type: 'Normal',
      regarding: { kind: 'Pod', namespace: 'default', name: 'p' }, note: 'hello',
    } as KObject);
    assert.equal(created.apiVersion, 'events.k8s.io/v1');
    assert.equal(created.note, 'hello');
    const raw = JSON.parse((await t.client.get('/registry/events/default/e1').string())!);
    assert.equal(raw.message, 'hello', 'stored in the core shape');
    assert.equal(raw.involvedObject.name, 'p');
    const core = await t.reg.get(ctx, R.events, 'default', 'e1');
    assert.equal(core.message, 'hello');
    assert.equal(core.apiVersion, 'v1');
    const [ev] = await take(it, 1);
    assert.equal(ev.object.apiVersion, 'events.k8s.io/v1');
    assert.equal(ev.object.note, 'hello');
    const patched = await t.reg.patch(ctx, eventsV1, 'default', 'e1', 'merge', { note: 'patched' }, {});
    assert.equal(patched.note, 'patched');
    assert.equal((await t.reg.get(ctx, R.events, 'default', 'e1')).message, 'patched');
    const list = await t.reg.list(ctx, eventsV1, 'default', { fieldSelector: 'regarding.name=p' });
    assert.equal(list.apiVersion, 'events.k8s.io/v1');
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].note, 'patched');
    assert.equal((await t.reg.list(ctx, eventsV1, 'default', { fieldSelector: 'regarding.name=other' })).items.length, 0);
  } finally { ac.abort(); }
});

test('autoscaling/v1 HPAs are stored as autoscaling/v2', async () => {
  const v1 = await t.reg.create(ctx, hpaV1, 'default', {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
  });
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal((v1.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 60);
  const v2 = await t.reg.get(ctx, hpaV2, 'default', 'web');
  const metrics = (v2.spec as { metrics: { resource: { name: string; target: { averageUtilization: number } } }[] }).metrics;
  assert.equal(metrics[0].resource.name, 'cpu');
  assert.equal(metrics[0].resource.target.averageUtilization, 60);
  const upd = await t.reg.update(ctx, hpaV1, 'default', 'web', { ...v1, spec: { ...(v1.spec as object), maxReplicas: 9 } });
  assert.equal((upd.spec as { maxReplicas: number }).maxReplicas, 9);
  assert.equal(((await t.reg.get(ctx, hpaV2, 'default', 'web')).spec as { maxReplicas: number }).maxReplicas, 9);
  const gone = await t.reg.delete(ctx, hpaV1, 'default', 'web', {});
  assert.equal(gone.apiVersion, 'autoscaling/v1');
});

test('with autoscaling/v1 also in the served kinds (listed first), each version still reaches the v2 storage', async () => {
  const { builtinResources } = await import('../resources/index.js');
  const all = builtinResources();
  const v2def = all.find((d) => d.group === 'autoscaling' && d.resource === 'horizontalpodautoscalers')!;
  const t2 = await startTestRegistry({ compactionIntervalMs: 0, eagerWatchCaches: false, resources: [{ ...v2def, version: 'v1', validateCreate: undefined, validateUpdate: undefined }, ...all] });
  try {
    await t2.reg.create(ctx, hpaV1, 'default', { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'h' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } });
    const v2 = await t2.reg.get(ctx, hpaV2, 'default', 'h');
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.ok((v2.spec as { metrics?: unknown[] }).metrics?.length);
  } finally { await t2.stop(); }
});
