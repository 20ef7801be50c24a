import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { PodGC, terminatedPodsOverThreshold } from './pod-gc.js';
import type { Pod } from '../../lib/api/types.js';

const pod = (name: string, created: string, phase?: string): Pod => ({ metadata: { name, namespace: 'default', creationTimestamp: created }, status: phase ? { phase } : undefined });

test('terminatedPodsOverThreshold picks the oldest terminated pods beyond the threshold', () => {
  const pods = [pod('c', '2026-01-01T00:00:03Z', 'Failed'), pod('a', '2026-01-01T00:00:01Z', 'Succeeded'), pod('run', '2026-01-01T00:00:00Z', 'Running'), pod('b', '2026-01-01T00:00:01Z', 'Succeeded')];
  assert.deepEqual(terminatedPodsOverThreshold(pods, 1).map((p) => p.metadata!.name), ['a', 'b']);
  assert.deepEqual(terminatedPodsOverThreshold(pods, 3), []);
  assert.deepEqual(terminatedPodsOverThreshold(pods, 0), [], 'threshold 0 disables');
});

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const gc = new PodGC(informers, cp.client, { terminatedPodGCThreshold: 2, periodMs: 200 });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void gc.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

async function createPod(name: string, nodeName?: string, phase?: string): Promise<void> {
  const p = await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
  });
  if (phase) { p.status = { ...p.status, phase }; await cp.client.updateStatus({ resource: 'pods', namespace: 'default' }, p); }
}
const names = async () => (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' })).items.map((p) => p.metadata!.name!).sort();

test('pods on a deleted node are force-deleted; terminated pods beyond the threshold go oldest first', async () => {
  await cp.client.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-n1' } });
  await createPod('on-live-node', 'gc-n1', 'Running');
  await createPod('on-ghost-node', 'gc-ghost', 'Running');
  for (const n of ['done-1', 'done-2', 'done-3']) await createPod(n, 'gc-n1', 'Succeeded');
  await waitFor('ghost pod and oldest terminated pod collected', async () => {
    const now = await names();
    return !now.includes('on-ghost-node') && now.length === 3 ? now : undefined;
  });
  assert.deepEqual(await names(), ['done-2', 'done-3', 'on-live-node']);
  // The node goes: its pods are orphans now.
  await cp.client.delete({ resource: 'nodes', name: 'gc-n1' });
  await waitFor('pods of deleted node collected', async () => (await names()).length === 0);
});
