import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startScheduler } from '../../scheduler/run.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { ReplicaSetController } from './replica-set.js';
import { NodeLifecycleController, evictionTime, reconcileTaints, wantedTaints, TAINT_UNREACHABLE } from './node-lifecycle.js';
import type { KObject } from '../../lib/api/object.js';
import type { Event, Lease, Node, Pod } from '../../lib/api/types.js';
import { EventRecorder } from '../../lib/client/event-recorder.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const unreachable = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };

test('evictionTime: untolerated taint now, tolerationSeconds from timeAdded, default for lifecycle taints, forever without seconds', () => {
  assert.equal(evictionTime([{ key: 'x', effect: 'NoExecute' }], [], 1000, T0), 'now');
  assert.equal(evictionTime([unreachable], [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }], 1000, T0 + 1), T0 + 30_000);
  assert.equal(evictionTime([unreachable], [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }], 1000, T0 + 31_000), 'now');
  assert.equal(evictionTime([unreachable], undefined, 5000, T0 + 1), T0 + 5000, 'no toleration: the pod-eviction-timeout default');
  assert.equal(evictionTime([unreachable], [{ operator: 'Exists' }], 5000, T0 + 1), 'never');
  assert.equal(evictionTime([{ key: 'x', effect: 'NoSchedule' }], [], 1000, T0), 'never', 'NoSchedule taints never evict');
});

test('reconcileTaints: adds the wanted taints with timeAdded, keeps others, removes when Ready again, no-op when equal', () => {
  const other = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const added = reconcileTaints([other], wantedTaints('Unknown'), T0)!;
  assert.deepEqual(added.map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', `${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
  assert.equal(added[1].timeAdded, '2026-01-01T00:00:00Z');
  assert.equal(reconcileTaints(added, wantedTaints('Unknown'), T0 + 5000), undefined);
  assert.deepEqual(reconcileTaints(added, wantedTaints('True'), T0), [other]);
  assert.deepEqual(reconcileTaints(added, wantedTaints('False'), T0)!.map((t) => t.key), ['dedicated', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready']);
  assert.deepEqual(reconcileTaints(added, wantedTaints('Unknown', true), T0)!.map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', `${TAINT_UNREACHABLE}:NoSchedule`], 'full disruption drops NoExecute');
});

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const recorder = new EventRecorder(cp.client, { component: 'controller-manager' });
  const nlc = new NodeLifecycleController(informers, cp.client, recorder, { nodeMonitorGracePeriodMs: 2000, podEvictionTimeoutMs: 2000 });
  const rs = new ReplicaSetController(informers, cp.client, recorder);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void nlc.run(2, stop.signal);
  void rs.run(2, stop.signal);
  await startScheduler(cp.client, stop.signal, {});
  startFakeKubelet(cp.client, stop.signal, { accept: (p) => !!p.spec?.nodeName });
});
after(async () => { stop.abort(); await cp.stop(); });

const now = () => new Date().toISOString();

async function createNode(name: string): Promise<void> {
  await cp.client.create<Node>({ resource: 'nodes' }, {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] },
  });
  await cp.client.create<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now() },
  });
}

/** Renews the node's Lease every 300 ms (as a kubelet) until the signal aborts. */
function heartbeat(name: string, signal: AbortSignal): void {
  const beat = async () => {
    while (!signal.aborted) {
      const l = await cp.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name }).catch(() => undefined);
      if (l && !signal.aborted) {
        l.spec = { ...l.spec, renewTime: now() };
        await cp.client.update({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, l).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  void beat();
}

const getNode = (name: string) => cp.client.get<Node>({ resource: 'nodes', name });
const podsOf = async (sel: string) => (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' }, { labelSelector: sel })).items;

test('a node that stops heartbeating goes Unknown + unreachable taints; its pods are evicted and recreated on the healthy node; taints leave when it returns', async () => {
  const beatA = new AbortController();
  const beatB = new AbortController();
  try {
    await createNode('nl-a');
    heartbeat('nl-a', beatA.signal);
    await cp.client.create({ group: 'apps', resource: 'replicasets', namespace: 'default' }, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } as KObject);
    // A pod that tolerates unreachable forever: it stays, but is marked not Ready.
    await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stayer', labels: { app: 'stayer' } },
      spec: { nodeName: 'nl-a', containers: [{ name: 'c', image: 'nginx' }], tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }] },
    });
    await waitFor('2 web pods running on nl-a', async () => (await podsOf('app=web')).filter((p) => p.spec?.nodeName === 'nl-a' && p.status?.phase === 'Running').length === 2, { timeoutMs: 15_000 });
    await waitFor('stayer running', async () => (await podsOf('app=stayer'))[0]?.status?.phase === 'Running');
    const firstPods = new Set((await podsOf('app=web')).map((p) => p.metadata!.name));

    await createNode('nl-b');
    heartbeat('nl-b', beatB.signal);
    beatA.abort(); // nl-a's kubelet dies
    const a = await waitFor('nl-a Unknown and tainted', async () => {
      const n = await getNode('nl-a');
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'Unknown' && n.spec?.taints?.some((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute') ? n : undefined;
    }, { timeoutMs: 10_000 });
    assert.equal(a.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'NodeStatusUnknown');
    assert.equal(a.status!.conditions!.find((c) => c.type === 'Ready')!.message, 'Kubelet stopped posting node status.');
    assert.ok(a.spec!.taints!.some((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoSchedule'));
    const b = await getNode('nl-b');
    assert.ok(!b.spec?.taints?.length, 'the heartbeating node is not tainted');

    await waitFor('stayer not Ready', async () => (await podsOf('app=stayer'))[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False');
    await waitFor('2 replacement web pods running on nl-b', async () => {
      const pods = (await podsOf('app=web')).filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === 2 && pods.every((p) => !firstPods.has(p.metadata!.name) && p.spec?.nodeName === 'nl-b' && p.status?.phase === 'Running');
    }, { timeoutMs: 15_000 });
    assert.equal((await podsOf('app=stayer')).length, 1, 'a pod tolerating the taint without tolerationSeconds stays');
    // Events are written in the background: wait for both.
    await waitFor('NodeNotReady event on the pod and TaintManagerEviction events', async () => {
      const events = (await cp.client.list<Event>({ resource: 'events', namespace: 'default' })).items;
      return events.some((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'stayer' && e.message === 'Node is not ready')
        && events.some((e) => e.reason === 'TaintManagerEviction' && /^Marking for deletion Pod default\/web-/.test(e.message ?? ''));
    });

    // The kubelet comes back: heartbeat + Ready posted; the taints go.
    const back = new AbortController();
    try {
      heartbeat('nl-a', back.signal);
      const n = await getNode('nl-a');
      n.status!.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }];
      await cp.client.updateStatus({ resource: 'nodes' }, n);
      await waitFor('taints removed from nl-a', async () => !(await getNode('nl-a')).spec?.taints?.length, { timeoutMs: 10_000 });
    } finally { back.abort(); }
  } finally {
    beatA.abort();
    beatB.abort();
  }
});

test('a node that never posts a Ready condition is untouched during the grace period, then Unknown ("never posted") and tainted', async () => {
  const created = Date.now();
  await cp.client.create<Node>({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'nl-silent' } });
  const n = await waitFor('nl-silent Unknown', async () => {
    const x = await getNode('nl-silent');
    return x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' ? x : undefined;
  }, { timeoutMs: 10_000 });
  assert.ok(Date.now() - created >= 2000, 'not before the grace period');
  assert.equal(n.status!.conditions!.find((c) => c.type === 'Ready')!.message, 'Kubelet never posted node status.');
  await waitFor('nl-silent tainted', async () => (await getNode('nl-silent')).spec?.taints?.some((t) => t.key === TAINT_UNREACHABLE));
});

test('full disruption: with no node Ready the NoExecute taints are withheld (nothing is evicted), NoSchedule stays', async () => {
  // The earlier tests' nodes stopped heartbeating: every node ends up Unknown.
  const nodes = await waitFor('every node down and no NoExecute taint left', async () => {
    const all = (await cp.client.list<Node>({ resource: 'nodes' })).items;
    const down = all.every((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown');
    return down && all.every((n) => !n.spec?.taints?.some((t) => t.effect === 'NoExecute')) ? all : undefined;
  }, { timeoutMs: 15_000 });
  assert.ok(nodes.length >= 3);
  for (const n of nodes) assert.ok(n.spec?.taints?.some((t) => t.key === TAINT_UNREACHABLE && t.effect === 'NoSchedule'), `${n.metadata?.name} keeps unreachable:NoSchedule`);
});
