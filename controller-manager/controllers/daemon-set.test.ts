import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startScheduler } from '../../scheduler/run.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { DaemonSetController } from './daemon-set.js';
import type { KObject } from '../../lib/api/object.js';
import type { Pod } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();

function node(name: string, taints: unknown[] = []): KObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: { taints },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new DaemonSetController(informers, cp.client, { event: () => undefined });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(2, stop.signal);
  await startScheduler(cp.client, stop.signal, {});
  startFakeKubelet(cp.client, stop.signal, { accept: (p) => !!p.spec?.nodeName });
});
after(async () => { stop.abort(); await cp.stop(); });

async function daemonPods(): Promise<Map<string, Pod>> {
  const pods = (await cp.client.list<Pod>({ resource: 'pods', namespace: 'kube-system' }, { labelSelector: 'app=agent' })).items.filter((p) => !p.metadata?.deletionTimestamp);
  return new Map(pods.map((p) => [p.spec?.nodeName ?? '', p]));
}

test('DaemonSet runs one pod per node, follows nodes joining and leaving, skips untolerated taints', async () => {
  for (const n of ['node-1', 'node-2']) await cp.client.create({ resource: 'nodes' }, node(n));
  await cp.client.create({ resource: 'nodes' }, node('tainted', [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]));
  await cp.client.create({ group: 'apps', resource: 'daemonsets', namespace: 'kube-system' }, {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } },
  } as KObject);
  await waitFor('pods on node-1 and node-2', async () => { const m = await daemonPods(); return m.has('node-1') && m.has('node-2') && m.size === 2; }, { timeoutMs: 15_000 });
  await cp.client.create({ resource: 'nodes' }, node('node-3'));
  await waitFor('pod on node-3', async () => (await daemonPods()).has('node-3'), { timeoutMs: 15_000 });
  await cp.client.delete({ resource: 'nodes', name: 'node-2' });
  await waitFor('pod of node-2 gone', async () => { const m = await daemonPods(); return !m.has('node-2') && m.size === 2; }, { timeoutMs: 15_000 });
  const m = await daemonPods();
  assert.ok(!m.has('tainted'), 'no pod on a node whose taint it does not tolerate');
  const ds = await cp.client.get({ group: 'apps', resource: 'daemonsets', namespace: 'kube-system', name: 'agent' });
  await waitFor('status', async () => {
    const d = await cp.client.get({ group: 'apps', resource: 'daemonsets', namespace: 'kube-system', name: 'agent' });
    const s = d.status as { desiredNumberScheduled?: number; numberReady?: number };
    return s?.desiredNumberScheduled === 2 && s.numberReady === 2;
  }, { timeoutMs: 15_000 });
  assert.ok(ds);
});
