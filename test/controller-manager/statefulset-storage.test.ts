/**
 * StatefulSet stable storage with dynamic provisioning: the StatefulSet controller creates a claim
 * per pod from volumeClaimTemplates (no storage class: the default `local-path`), the scheduler
 * places the pods, and the PersistentVolume controller provisions each claim a volume pinned to
 * its pod's node. Deleting a pod keeps its claim and volume: the new web-0 gets the same storage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startScheduler } from '../../scheduler/run.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { StatefulSetController } from '../../controller-manager/controllers/stateful-set.js';
import { PersistentVolumeController } from '../../controller-manager/controllers/persistent-volume/controller.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod, StatefulSet } from '../../lib/api/types.js';

test('StatefulSet claims get local-path volumes on their pods\' nodes and keep them across pod restarts', { timeout: 60_000 }, async (t) => {
  const pvRoot = await mkdtemp(join(tmpdir(), 'ksimt-stspv-'));
  const cp = await startControlPlane();
  const stop = new AbortController();
  t.after(async () => { stop.abort(); await cp.stop(); await rm(pvRoot, { recursive: true, force: true }); });
  for (const name of ['st-n1', 'st-n2']) {
    await cp.client.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  const informers = new InformerFactory(cp.client);
  const recorder = { event: () => undefined };
  const controllers = [new StatefulSetController(informers, cp.client, recorder), new PersistentVolumeController(informers, cp.client, recorder, { pvRoot })];
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  for (const c of controllers) void c.run(2, stop.signal);
  await startScheduler(cp.client, stop.signal, {});
  startFakeKubelet(cp.client, stop.signal, { accept: (p) => !!p.spec?.nodeName });

  const STS = { group: 'apps', resource: 'statefulsets', namespace: 'default' };
  await cp.client.create<StatefulSet>(STS, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
    spec: { replicas: 2, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } });
  await waitFor('2 ready', async () => (await cp.client.get<StatefulSet>({ ...STS, name: 'web' })).status?.readyReplicas === 2, { timeoutMs: 30_000 });

  const claim = (n: string) => cp.client.get<PersistentVolumeClaim>({ resource: 'persistentvolumeclaims', namespace: 'default', name: n });
  const pod = (n: string) => cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: n });
  const volumes = new Map<string, string>();
  for (const i of [0, 1]) {
    const c = await waitFor(`www-web-${i} bound`, async () => { const x = await claim(`www-web-${i}`); return x.status?.phase === 'Bound' ? x : undefined; }, { timeoutMs: 15_000 });
    const pv = await cp.client.get<PersistentVolume>({ resource: 'persistentvolumes', name: c.spec!.volumeName! });
    assert.equal(pv.spec?.storageClassName, 'local-path');
    const node = (await pod(`web-${i}`)).spec?.nodeName;
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [node], `web-${i}'s volume is pinned to its node`);
    volumes.set(`web-${i}`, pv.metadata!.name!);
  }

  const oldUid = (await pod('web-0')).metadata?.uid;
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'web-0' });
  await waitFor('web-0 recreated and ready', async () => { const p = await pod('web-0').catch(() => undefined); return p && p.metadata?.uid !== oldUid && p.status?.phase === 'Running'; }, { timeoutMs: 20_000 });
  assert.equal((await claim('www-web-0')).spec?.volumeName, volumes.get('web-0'), 'the same claim and volume');
});
