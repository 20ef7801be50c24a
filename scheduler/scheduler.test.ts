import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../lib/testing/wait.js';
import type { KObject } from '../lib/api/object.js';
import { makeNode, makePod } from './framework/testing.js';
import type { Pod } from './framework/types.js';
import { podObject, schedulerCluster } from './testing-cluster.js';
import { DECISION_ANNOTATION } from './scheduler.js';
import { parseSchedulerConfig } from './config.js';
import { inTreeRegistry } from './plugins/index.js';

test('scheduler against a real apiserver: binds, explains failures as Kubernetes does, retries on node changes', async (t) => {
  const { client } = await schedulerCluster(t, [
    makeNode('n1', { cpu: '4', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    makeNode('n2', { cpu: '1' }),
    makeNode('n3', { cpu: '1' }),
  ], { decisionAnnotation: true, rng: () => 0.5 });
  const strip = (p: Pod) => podObject(p);
  await client.create({ resource: 'pods', namespace: 'default' }, strip(makePod('big', { cpu: '2' })));
  await client.create({ resource: 'pods', namespace: 'default' }, strip(makePod('web-0', { cpu: '500m' })));

  const web = await waitFor('web-0 bound', async () => {
    const p = await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'web-0' });
    return p.spec.nodeName ? p : undefined;
  });
  assert.ok(['n2', 'n3'].includes(web.spec.nodeName!));
  assert.equal(web.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  const decision = JSON.parse(web.metadata.annotations![DECISION_ANNOTATION]);
  assert.equal(decision.selectedNode, web.spec.nodeName);
  assert.equal(decision.filter.n1.TaintToleration, 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }');
  assert.equal(typeof decision.finalScore[web.spec.nodeName!], 'number');

  const events = async (name: string) => (await client.list({ resource: 'events', namespace: 'default' })).items
    .filter((e) => (e.involvedObject as { name: string }).name === name);
  const scheduled = await waitFor('Scheduled event', async () => (await events('web-0')).find((e) => e.reason === 'Scheduled'));
  assert.equal(scheduled.message, `Successfully assigned default/web-0 to ${web.spec.nodeName}`);
  assert.deepEqual(scheduled.source, { component: 'default-scheduler' });

  const failed = await waitFor('FailedScheduling event', async () => (await events('big')).find((e) => e.reason === 'FailedScheduling'));
  assert.equal(failed.type, 'Warning');
  assert.equal(failed.message, '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..');
  const cond = await waitFor('PodScheduled=False', async () => {
    const p = await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'big' });
    return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  });
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, failed.message);

  // Growing a node is a cluster event: the parked pod is retried (after its 1 s backoff) and lands there.
  const free = web.spec.nodeName === 'n2' ? 'n3' : 'n2';
  const node = await client.get({ resource: 'nodes', name: free });
  (node.status as { allocatable: Record<string, string> }).allocatable.cpu = '4';
  await client.updateStatus({ resource: 'nodes' }, node);
  const big = await waitFor('big bound after node grew', async () => {
    const p = await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'big' });
    return p.spec.nodeName ? p : undefined;
  }, { timeoutMs: 15_000 });
  assert.equal(big.spec.nodeName, free);

  // Scheduling gates: the pod waits with PodScheduled=False/SchedulingGated. (Removing gates is a spec
  // change and re-queues it; the apiserver does not allow that update yet, so it is not exercised here.)
  const gated = strip(makePod('gated'));
  (gated.spec as Record<string, unknown>).schedulingGates = [{ name: 'example.com/wait' }];
  await client.create({ resource: 'pods', namespace: 'default' }, gated);
  const gatedCond = await waitFor('SchedulingGated condition', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'gated' }))
    .status?.conditions?.find((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'));
  assert.equal(gatedCond.message, 'Scheduling is blocked due to non-empty scheduling gates');
  assert.equal((await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'gated' })).spec.nodeName, undefined);
});

test('preemption against a real apiserver: the low-priority victim is deleted with a Preempted event, the preemptor nominated', async (t) => {
  const { client } = await schedulerCluster(t, [makeNode('only', { cpu: '1' })]);
  const create = (p: Pod) => client.create({ resource: 'pods', namespace: 'default' }, podObject(p));
  await create(makePod('low', { cpu: '800m', priority: 1 }));
  await waitFor('low bound', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'low' })).spec.nodeName);
  const high = await create(makePod('high', { cpu: '800m', priority: 1000 }));

  const nominated = await waitFor('high nominated', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'high' })).status?.nominatedNodeName);
  assert.equal(nominated, 'only');
  await waitFor('low deleted or terminating', async () => {
    const low = await client.get({ resource: 'pods', namespace: 'default', name: 'low' }).catch(() => null);
    return low === null || !!low.metadata?.deletionTimestamp;
  });
  const preempted = await waitFor('Preempted event', async () => (await client.list({ resource: 'events', namespace: 'default' })).items
    .find((e) => e.reason === 'Preempted' && (e.involvedObject as { name: string }).name === 'low'));
  assert.equal(preempted.message, `Preempted by pod ${high.metadata?.uid} on node only`);
  // No kubelet here: finish the victim's graceful deletion as a kubelet would; the preemptor then lands.
  await client.delete({ resource: 'pods', namespace: 'default', name: 'low' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
  const bound = await waitFor('high bound', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'high' })).spec.nodeName, { timeoutMs: 15_000 });
  assert.equal(bound, 'only');
});

test('profiles from a KubeSchedulerConfiguration: each schedulerName is served with its own plugins and Event source; others are left alone', async (t) => {
  const { profiles } = parseSchedulerConfig(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: taint-blind
  plugins: {multiPoint: {disabled: [{name: TaintToleration}]}}
`, inTreeRegistry());
  const { client } = await schedulerCluster(t, [makeNode('n1', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })], { profiles });
  const create = (name: string, schedulerName: string) => client.create({ resource: 'pods', namespace: 'default' }, podObject(makePod(name), schedulerName));
  await create('blind', 'taint-blind');
  await create('normal', 'default-scheduler');
  await create('foreign', 'someone-else');
  const get = async (name: string) => client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name });
  assert.equal(await waitFor('blind bound despite the taint', async () => (await get('blind')).spec.nodeName), 'n1');
  const events = async () => (await client.list({ resource: 'events', namespace: 'default' })).items;
  const scheduled = await waitFor('Scheduled from taint-blind', async () => (await events()).find((e) => e.reason === 'Scheduled'));
  assert.deepEqual(scheduled.source, { component: 'taint-blind' });
  const failed = await waitFor('normal refused by the taint', async () => (await events()).find((e) => e.reason === 'FailedScheduling' && (e.involvedObject as { name: string }).name === 'normal'));
  assert.match(failed.message as string, /^0\/1 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: x\}\./);
  assert.deepEqual(failed.source, { component: 'default-scheduler' });
  assert.equal((await get('foreign')).spec.nodeName, undefined);
  assert.ok(!(await events()).some((e) => (e.involvedObject as { name: string }).name === 'foreign'), 'a pod of another scheduler gets no events from us');
});

test('volumes: a pod follows its local volume to its node; an unbound Immediate claim keeps the pod Pending', async (t) => {
  const { client } = await schedulerCluster(t, [makeNode('n1'), makeNode('n2')]);
  const claimSpec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' };
  await client.create({ resource: 'persistentvolumes' }, {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-local' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/ksimt-pv' }, storageClassName: '',
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } } },
  });
  await client.create({ resource: 'persistentvolumeclaims', namespace: 'default' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { ...claimSpec, volumeName: 'pv-local' } });
  await client.create({ resource: 'persistentvolumeclaims', namespace: 'default' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pending' }, spec: claimSpec });
  const withClaim = (name: string, claim: string) => {
    const p = makePod(name);
    p.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: claim } }];
    return podObject(p);
  };
  await client.create({ resource: 'pods', namespace: 'default' }, withClaim('db-0', 'data'));
  await client.create({ resource: 'pods', namespace: 'default' }, withClaim('waits', 'pending'));
  const node = await waitFor('db-0 bound', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'db-0' })).spec.nodeName);
  assert.equal(node, 'n2');
  const failed = await waitFor('FailedScheduling for waits', async () => (await client.list({ resource: 'events', namespace: 'default' })).items
    .find((e) => e.reason === 'FailedScheduling' && (e.involvedObject as { name: string }).name === 'waits'));
  assert.equal(failed.message, '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..');
});

test('volumes: a WaitForFirstConsumer claim is annotated with the chosen node (selected-node) before the pod is bound', async (t) => {
  const { client } = await schedulerCluster(t, [makeNode('n1', { cpu: '1' }), makeNode('n2', { cpu: '8' })]);
  await client.create({ resource: 'storageclasses', group: 'storage.k8s.io' }, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'late' }, provisioner: 'kubesim.io/local-path', volumeBindingMode: 'WaitForFirstConsumer',
  } as KObject);
  await client.create({ resource: 'persistentvolumeclaims', namespace: 'default' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'late-data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'late' } });
  const p = makePod('consumer', { cpu: '2' });
  p.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'late-data' } }];
  await client.create({ resource: 'pods', namespace: 'default' }, podObject(p));
  const node = await waitFor('consumer bound', async () => (await client.get<Pod & KObject>({ resource: 'pods', namespace: 'default', name: 'consumer' })).spec.nodeName, { timeoutMs: 15_000 });
  assert.equal(node, 'n2', 'only n2 has 2 cpus');
  const claim = await client.get({ resource: 'persistentvolumeclaims', namespace: 'default', name: 'late-data' });
  assert.equal(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'n2');
  assert.equal((claim.spec as { volumeName?: string }).volumeName, undefined, 'no PV controller runs here: the claim stays unbound');
});
