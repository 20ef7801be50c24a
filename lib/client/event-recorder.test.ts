import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer } from '../../apiserver/grpc/testing.js';
import { EventRecorder } from './event-recorder.js';
import type { Event, Pod, Node } from '../api/types.js';

test('repeated identical events bump count and lastTimestamp; different ones create new Events', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const pod = await api.client.create<Pod>({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const rec = new EventRecorder(api.client, { component: 'kubelet', host: 'node-1' });
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  const first = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  assert.equal(first.length, 1);
  await new Promise((r) => setTimeout(r, 1100)); // lastTimestamp has second precision
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', 'spec.containers{c}');
  rec.eventf(pod, 'Normal', 'Pulled', 'Container image "%s" already present on machine', 'nginx');
  await rec.flush();
  const events = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  assert.equal(events.length, 3, 'a different fieldPath is a different event');
  assert.equal(events.find((e) => e.involvedObject?.fieldPath === 'spec.containers{c}')?.count, 1);
  const backoff = events.find((e) => e.reason === 'BackOff' && !e.involvedObject?.fieldPath)!;
  assert.equal(backoff.count, 3);
  assert.equal(backoff.metadata?.name, first[0].metadata?.name);
  assert.ok(backoff.lastTimestamp! > backoff.firstTimestamp!, 'lastTimestamp moved');
  assert.deepEqual(backoff.involvedObject, { kind: 'Pod', name: 'web', namespace: 'default', apiVersion: 'v1', uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion });
  assert.deepEqual(backoff.source, { component: 'kubelet', host: 'node-1' });
  const pulled = events.find((e) => e.reason === 'Pulled')!;
  assert.equal(pulled.message, 'Container image "nginx" already present on machine');
  assert.equal(pulled.type, 'Normal');
  assert.equal(pulled.count, 1);
});

test('events about cluster objects go to the default namespace; a deleted series starts over', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'node-1' } };
  const rec = new EventRecorder(api.client, { component: 'kubelet' });
  rec.event(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
  await rec.flush();
  const [ev] = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  assert.equal(ev.involvedObject?.kind, 'Node');
  await api.client.delete({ resource: 'events', namespace: 'default', name: ev.metadata!.name! });
  rec.event(node, 'Normal', 'NodeReady', 'Node node-1 status is now: NodeReady');
  await rec.flush();
  const again = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  assert.equal(again.length, 1);
  assert.equal(again[0].count, 1);
  assert.notEqual(again[0].metadata?.name, ev.metadata?.name);
});

test('the spam filter drops events beyond the burst for one object, other objects unaffected', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const rec = new EventRecorder(api.client, { component: 'test' }, { burst: 3, refillEveryMs: 3_600_000 });
  const a: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', uid: 'a' } };
  const b: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default', uid: 'b' } };
  for (let i = 0; i < 5; i++) rec.event(a, 'Warning', 'Failed', `attempt ${i}`);
  rec.event(b, 'Normal', 'Started', 'started');
  await rec.flush();
  const events = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  assert.deepEqual(events.filter((e) => e.involvedObject?.name === 'a').map((e) => e.message).sort(), ['attempt 0', 'attempt 1', 'attempt 2']);
  assert.equal(events.filter((e) => e.involvedObject?.name === 'b').length, 1);
  assert.equal(rec.dropped, 2);
});

test('events are written in the order they were recorded (resourceVersion order = record order)', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const rec = new EventRecorder(api.client, { component: 'kubelet', host: 'node-1' });
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  const reasons = Array.from({ length: 20 }, (_, i) => `Step${i}`);
  for (const r of reasons) rec.event(pod, 'Normal', r, r, 'spec.containers{web}');
  await rec.flush();
  const list = (await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
  const got = list.sort((a, b) => Number(a.metadata!.resourceVersion) - Number(b.metadata!.resourceVersion)).map((e) => e.reason);
  assert.deepEqual(got, reasons);
});

test('a write rate limit spaces writes out after the burst (qps 20, burst 2: 6 events need ≥ 200 ms) and loses none', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const rec = new EventRecorder(api.client, { component: 'default-scheduler' }, {}, { qps: 20, burst: 2 });
  const t0 = performance.now();
  for (let i = 0; i < 6; i++) rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}` } }, 'Normal', 'Scheduled', `Successfully assigned default/p${i} to n1`);
  await rec.flush();
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 195, `6 writes at 20/s after a burst of 2 took only ${elapsed.toFixed(0)} ms`);
  assert.equal((await api.client.list<Event>({ resource: 'events', namespace: 'default' })).items.length, 6);
  assert.equal(rec.dropped, 0);
});
