import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../../lib/testing/control-plane.js';
import { waitFor } from '../../../lib/testing/wait.js';
import { InformerFactory } from '../../../lib/client/informer.js';
import { PersistentVolumeController } from './controller.js';
import { PvcProtectionController, PvProtectionController, PVC_PROTECTION, PV_PROTECTION } from './protection.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const cs = [new PersistentVolumeController(informers, cp.client, { event: () => undefined }, { pvRoot: '/nonexistent-ksimt' }),
    new PvcProtectionController(informers, cp.client), new PvProtectionController(informers, cp.client)];
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  for (const c of cs) void c.run(2, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const PV = { resource: 'persistentvolumes' };
const PVC = { resource: 'persistentvolumeclaims', namespace: 'default' };

test('a claim in use and its bound volume stay Terminating until the pod goes; then both deletions complete', async () => {
  await cp.client.create<PersistentVolume>(PV, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'prot-pv' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: '/tmp/prot-pv' } } });
  await cp.client.create<PersistentVolumeClaim>(PVC, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'prot' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual' } });
  await cp.client.create<Pod>({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'prot-user' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'prot' } }] } });
  await waitFor('bound, both finalizers on', async () => {
    const c = await cp.client.get<PersistentVolumeClaim>({ ...PVC, name: 'prot' });
    const v = await cp.client.get<PersistentVolume>({ ...PV, name: 'prot-pv' });
    return c.status?.phase === 'Bound' && c.metadata?.finalizers?.includes(PVC_PROTECTION) && v.metadata?.finalizers?.includes(PV_PROTECTION);
  });

  await cp.client.delete({ ...PVC, name: 'prot' });
  await cp.client.delete({ ...PV, name: 'prot-pv' });
  const c = await cp.client.get<PersistentVolumeClaim>({ ...PVC, name: 'prot' });
  assert.ok(c.metadata?.deletionTimestamp, 'the claim is Terminating');
  // The protection controllers have seen the deletions when they re-assert nothing: the objects remain.
  await waitFor('volume seen Terminating', async () => !!(await cp.client.get<PersistentVolume>({ ...PV, name: 'prot-pv' })).metadata?.deletionTimestamp);
  assert.ok(await cp.client.get({ ...PVC, name: 'prot' }), 'the claim in use is still there');
  assert.equal((await cp.client.get<PersistentVolume>({ ...PV, name: 'prot-pv' })).status?.phase, 'Bound');

  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'prot-user' }, { gracePeriodSeconds: 0 });
  await waitFor('claim gone', async () => !(await cp.client.get({ ...PVC, name: 'prot' }).catch(() => undefined)));
  await waitFor('volume gone', async () => !(await cp.client.get({ ...PV, name: 'prot-pv' }).catch(() => undefined)));
});
