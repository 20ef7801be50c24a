/**
 * The Job controller with a stale pod cache: the pod it just created is not in its cache yet (a
 * pod watch event can trail the Job's own status update), and a second sync must not create
 * another pod. Without expectations a `completions: 1` Job could run two pods and, once one
 * succeeded, delete the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { JobController } from './job.js';
import type { Job, Pod } from '../../lib/api/types.js';

test('a Job synced twice before its new pod reaches the cache creates one pod, not two', async (t) => {
  const cp = await startControlPlane();
  const ac = new AbortController();
  t.after(async () => { ac.abort(); await cp.stop(); });
  const informers = new InformerFactory(cp.client);
  const c = new JobController(informers, cp.client, { event: () => undefined });
  // Informers run by hand (no workers: sync is driven by the test); the pod cache is frozen
  // after its first list, so the pod the controller creates never reaches it.
  const jobs = informers.informerFor<Job>({ group: 'batch', resource: 'jobs' });
  const pods = informers.informerFor<Pod>({ resource: 'pods' });
  const frozen = new AbortController();
  void jobs.run(ac.signal);
  void pods.run(frozen.signal);
  await waitFor('caches synced', () => jobs.hasSynced() && pods.hasSynced(), { timeoutMs: 5000 });
  frozen.abort();
  await cp.client.create({ group: 'batch', resource: 'jobs', namespace: 'default' }, {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
  });
  await waitFor('the Job in the cache', () => jobs.lister.get('default', 'once'), { timeoutMs: 5000 });
  const listPods = async () => (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' }, { labelSelector: 'job-name=once' })).items;

  await c.sync('default/once');
  assert.equal((await listPods()).length, 1, 'the first sync creates the pod');
  assert.equal(pods.lister.list().length, 0, 'the pod cache has not seen it');
  await c.sync('default/once');
  assert.equal((await listPods()).length, 1, 'a sync on the stale cache creates nothing more');

  void pods.run(ac.signal); // the cache catches up (re-list): the create is observed
  await waitFor('the pod reaches the cache', () => pods.lister.list().length === 1, { timeoutMs: 5000 });
  await c.sync('default/once');
  assert.equal((await listPods()).length, 1, 'once seen, the Job counts it as its active pod');
  assert.equal((await cp.client.get<Job>({ group: 'batch', resource: 'jobs', namespace: 'default', name: 'once' })).status?.active, 1);
});
