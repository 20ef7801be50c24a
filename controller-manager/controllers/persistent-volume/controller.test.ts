import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type TestControlPlane } from '../../../lib/testing/control-plane.js';
import { waitFor } from '../../../lib/testing/wait.js';
import { InformerFactory } from '../../../lib/client/informer.js';
import { PersistentVolumeController } from './controller.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../lib/api/types.js';

let cp: TestControlPlane;
let pvRoot: string;
const stop = new AbortController();

before(async () => {
  pvRoot = await mkdtemp(join(tmpdir(), 'ksimt-pv-'));
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new PersistentVolumeController(informers, cp.client, { event: () => undefined }, { pvRoot });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(3, stop.signal);
});
after(async () => { stop.abort(); await cp?.stop(); await rm(pvRoot, { recursive: true, force: true }); });

const PVS = { resource: 'persistentvolumes' };
const PVCS = { resource: 'persistentvolumeclaims', namespace: 'default' };

async function createPV(name: string, storage: string, modes: string[], cls: string, policy = 'Retain'): Promise<void> {
  await cp.client.create<PersistentVolume>(PVS, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: { capacity: { storage }, accessModes: modes, storageClassName: cls, persistentVolumeReclaimPolicy: policy, hostPath: { path: `/tmp/${name}` } } });
}
async function createClaim(name: string, storage: string, modes: string[], cls?: string): Promise<void> {
  await cp.client.create<PersistentVolumeClaim>(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: { accessModes: modes, resources: { requests: { storage } }, ...(cls !== undefined ? { storageClassName: cls } : {}) } });
}
const getClaim = (name: string) => cp.client.get<PersistentVolumeClaim>({ ...PVCS, name });
const getPV = (name: string) => cp.client.get<PersistentVolume>({ ...PVS, name });
const bound = async (name: string) => { const c = await getClaim(name); return c.status?.phase === 'Bound' ? c : undefined; };

test('the built-in StorageClasses exist, local-path the default', async () => {
  const sc = await waitFor('local-path class', () => cp.client.get<StorageClass>({ group: 'storage.k8s.io', resource: 'storageclasses', name: 'local-path' }));
  assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
  const shared = await cp.client.get<StorageClass>({ group: 'storage.k8s.io', resource: 'storageclasses', name: 'shared-path' });
  assert.equal(shared.provisioner, 'kubesim.io/shared-path');
});

test('a static volume binds the claim it fits (smallest), not one asking RWX from RWO; Retain leaves it Released', async () => {
  await createPV('st-small', '1Gi', ['ReadWriteOnce'], 'manual');
  await createPV('st-big', '10Gi', ['ReadWriteOnce'], 'manual');
  await createClaim('st-rwx', '1Gi', ['ReadWriteMany'], 'manual');
  await createClaim('st-claim', '500Mi', ['ReadWriteOnce'], 'manual');
  const c = await waitFor('st-claim bound', () => bound('st-claim'));
  assert.equal(c.spec?.volumeName, 'st-small');
  assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(c.status?.capacity?.storage, '1Gi');
  const pv = await waitFor('st-small Bound', async () => { const v = await getPV('st-small'); return v.status?.phase === 'Bound' ? v : undefined; });
  assert.equal(pv.spec?.claimRef?.name, 'st-claim');
  assert.equal(pv.spec?.claimRef?.uid, c.metadata?.uid);
  await waitFor('st-big Available', async () => (await getPV('st-big')).status?.phase === 'Available');
  const rwx = await getClaim('st-rwx');
  assert.equal(rwx.status?.phase, 'Pending', 'no RWX volume: the RWX claim stays Pending');
  assert.equal(rwx.spec?.volumeName, undefined);

  await cp.client.delete({ ...PVCS, name: 'st-claim' });
  const released = await waitFor('st-small Released', async () => { const v = await getPV('st-small'); return v.status?.phase === 'Released' ? v : undefined; });
  assert.equal(released.spec?.claimRef?.name, 'st-claim', 'a Released volume keeps its claimRef (and data)');
});

test('two claims racing for one volume: exactly one gets it', async () => {
  await createPV('race-1', '1Gi', ['ReadWriteOnce'], 'race');
  await Promise.all([createClaim('race-a', '1Gi', ['ReadWriteOnce'], 'race'), createClaim('race-b', '1Gi', ['ReadWriteOnce'], 'race')]);
  await waitFor('one race claim bound', async () => (await bound('race-a')) ?? (await bound('race-b')));
  await createPV('race-2', '1Gi', ['ReadWriteOnce'], 'race');
  const [a, b] = await waitFor('both bound', async () => { const a = await bound('race-a'); const b = await bound('race-b'); return a && b ? [a, b] : undefined; });
  assert.notEqual(a.spec?.volumeName, b.spec?.volumeName, 'each volume binds one claim');
  for (const c of [a, b]) assert.equal((await getPV(c.spec!.volumeName!)).spec?.claimRef?.uid, c.metadata?.uid);
});

test('shared-path provisions at once; local-path (the default) after a pod using the claim is scheduled, and Delete cleans up', async () => {
  await createClaim('dyn-shared', '2Gi', ['ReadWriteMany'], 'shared-path');
  const s = await waitFor('dyn-shared bound', () => bound('dyn-shared'), { timeoutMs: 15_000 });
  const spv = await getPV(s.spec!.volumeName!);
  assert.equal(spv.metadata?.name, `pvc-${s.metadata?.uid}`);
  assert.equal(spv.spec?.storageClassName, 'shared-path');
  assert.deepEqual(spv.spec?.accessModes, ['ReadWriteMany']);
  assert.equal(spv.spec?.hostPath?.path, join(pvRoot, 'shared', spv.metadata!.name!));
  assert.ok((await stat(spv.spec!.hostPath!.path!)).isDirectory());

  await createClaim('dyn-local', '1Gi', ['ReadWriteOnce']);
  await waitFor('dyn-local seen Pending', async () => (await getClaim('dyn-local')).status?.phase === 'Pending');
  await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dyn-user' },
    spec: { nodeName: 'node-x', containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'dyn-local' } }] } });
  const l = await waitFor('dyn-local bound', () => bound('dyn-local'), { timeoutMs: 15_000 });
  assert.equal(l.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'node-x');
  const lpv = await getPV(l.spec!.volumeName!);
  assert.equal(lpv.spec?.storageClassName, 'local-path');
  assert.deepEqual(lpv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, ['node-x']);
  const dir = lpv.spec!.hostPath!.path!;
  assert.ok((await stat(dir)).isDirectory());

  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'dyn-user' }, { gracePeriodSeconds: 0 });
  await cp.client.delete({ ...PVCS, name: 'dyn-local' });
  await waitFor('provisioned volume deleted', async () => !(await getPV(lpv.metadata!.name!).catch(() => undefined)));
  await assert.rejects(stat(dir), /ENOENT/);
});
