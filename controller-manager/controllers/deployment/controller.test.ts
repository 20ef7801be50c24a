import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../../lib/testing/wait.js';
import { SharedInformer } from '../../../lib/client/informer.js';
import { InformerFactory } from '../../../lib/client/informer.js';
import { ReplicaSetController } from '../replica-set.js';
import { DeploymentController } from './controller.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Deployment, Pod, ReplicaSet } from '../../../lib/api/types.js';
import { isPodReady } from '../../pods.js';

let cp: TestControlPlane;
const stop = new AbortController();
const events: string[] = [];
const recorder = { event: (_o: KObject, _t: string, reason: string, msg: string) => { events.push(`${reason}: ${msg}`); } };
const DEP = { group: 'apps', resource: 'deployments', namespace: 'default' };
const RS = { group: 'apps', resource: 'replicasets', namespace: 'default' };

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const rs = new ReplicaSetController(informers, cp.client, recorder);
  const dc = new DeploymentController(informers, cp.client, recorder);
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void rs.run(2, stop.signal);
  void dc.run(2, stop.signal);
  startFakeKubelet(cp.client, stop.signal, { delayMs: 30 });
});
after(async () => { stop.abort(); await cp.stop(); });

async function deployment(name: string): Promise<Deployment> { return cp.client.get<Deployment>({ ...DEP, name }); }
async function replicaSets(app: string): Promise<ReplicaSet[]> { return (await cp.client.list<ReplicaSet>(RS, { labelSelector: `app=${app}` })).items; }

function complete(d: Deployment): boolean {
  const s = d.status;
  const r = d.spec?.replicas ?? 1;
  return (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s?.updatedReplicas === r && s?.replicas === r && s?.availableReplicas === r;
}

test('rolling update with maxSurge 1 / maxUnavailable 0 never drops below 3 ready pods; undo --to-revision=1 brings RS-1 back', async () => {
  await cp.client.create(DEP, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'first' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.0' }] } } },
  } as KObject);
  await waitFor('first rollout', async () => complete(await deployment('web')), { timeoutMs: 20_000 });
  const [rs1] = await replicaSets('web');
  const hash1 = rs1.metadata!.labels!['pod-template-hash'];
  assert.equal(rs1.metadata!.name, `web-${hash1}`);
  assert.equal(rs1.metadata!.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs1.metadata!.annotations!['kubernetes.io/change-cause'], 'first');
  assert.equal((await deployment('web')).metadata!.annotations!['deployment.kubernetes.io/revision'], '1', 'the deployment carries its revision (kubectl rollout undo patches /metadata/annotations)');

  // Watch every pod state change during the update.
  const watch = new AbortController();
  const pods = new SharedInformer<Pod>(cp.client, { resource: 'pods', namespace: 'default' });
  let minReady = Infinity;
  let maxPods = 0;
  const observe = () => {
    const live = pods.lister.list('app=web').filter((p) => !p.metadata?.deletionTimestamp);
    minReady = Math.min(minReady, live.filter(isPodReady).length);
    maxPods = Math.max(maxPods, live.length);
  };
  pods.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
  void pods.run(watch.signal);
  await waitFor('pod informer synced', () => pods.hasSynced());
  minReady = Infinity;
  observe();

  await cp.client.patch({ ...DEP, name: 'web' }, 'strategic', { metadata: { annotations: { 'kubernetes.io/change-cause': 'second' } }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2.0' }] } } } });
  await waitFor('second rollout', async () => complete(await deployment('web')), { timeoutMs: 30_000 });
  watch.abort();
  assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
  assert.ok(maxPods <= 4, `there were ${maxPods} pods at once (maxSurge 1)`);

  const rss = await replicaSets('web');
  assert.equal(rss.length, 2);
  const old = rss.find((r) => r.metadata!.name === rs1.metadata!.name)!;
  const rs2 = rss.find((r) => r.metadata!.name !== rs1.metadata!.name)!;
  assert.equal(old.spec!.replicas, 0, 'old RS kept at 0');
  assert.equal(rs2.spec!.replicas, 3);
  assert.equal(rs2.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  assert.ok(events.some((e) => e === `ScalingReplicaSet: Scaled up replica set ${rs2.metadata!.name} from 0 to 1`), events.join('\n'));

  // kubectl rollout undo --to-revision=1: the template of revision 1 goes back into the deployment.
  const tmpl = structuredClone(old.spec!.template!);
  delete tmpl.metadata!.labels!['pod-template-hash'];
  const d = await deployment('web');
  d.spec!.template = tmpl;
  await cp.client.update(DEP, d);
  await waitFor('rollback', async () => {
    const dep = await deployment('web');
    const back = (await replicaSets('web')).find((r) => r.metadata!.name === rs1.metadata!.name);
    return complete(dep) && back?.spec?.replicas === 3 && back;
  }, { timeoutMs: 30_000 });
  const back = (await replicaSets('web')).find((r) => r.metadata!.name === rs1.metadata!.name)!;
  assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision'], '3', 'the re-activated RS gets the next revision');
  const dep = await deployment('web');
  assert.equal(dep.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
  const progressing = (dep.status!.conditions ?? []).find((c) => c.type === 'Progressing');
  assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
});

test('Recreate scales the old ReplicaSet to zero before the new one starts', async () => {
  await cp.client.create(DEP, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rec' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'rec' } }, strategy: { type: 'Recreate' },
      template: { metadata: { labels: { app: 'rec' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.0' }] } } },
  } as KObject);
  await waitFor('first rollout', async () => complete(await deployment('rec')), { timeoutMs: 20_000 });
  await cp.client.patch({ ...DEP, name: 'rec' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2.0' }] } } } });
  await waitFor('recreate rollout', async () => complete(await deployment('rec')), { timeoutMs: 20_000 });
  const rss = await replicaSets('rec');
  assert.deepEqual(rss.map((r) => r.spec!.replicas).sort(), [0, 2]);
});
