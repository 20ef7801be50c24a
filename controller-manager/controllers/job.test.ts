import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { startFakeKubelet } from '../../lib/testing/fake-kubelet.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { JobController, formatIndexes } from './job.js';
import type { KObject } from '../../lib/api/object.js';
import type { Job, Pod } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();
const JOBS = { group: 'batch', resource: 'jobs', namespace: 'default' };
let firstFailed = false;

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new JobController(informers, cp.client, { event: () => undefined }, { backoffBaseMs: 100, backoffMaxMs: 400 });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(2, stop.signal);
  startFakeKubelet(cp.client, stop.signal, {
    delayMs: 20,
    exitCode: (p: Pod) => {
      const job = p.metadata?.labels?.['job-name'];
      if (job === 'always-fails') return 1;
      if (job === 'pi' && !firstFailed) { firstFailed = true; return 1; }
      return 0;
    },
  });
});
after(async () => { stop.abort(); await cp.stop(); });

function job(name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }] } } } };
}
const getJob = (name: string) => cp.client.get<Job>({ ...JOBS, name });
const condition = (j: Job) => (j.status?.conditions ?? []).find((c) => c.status === 'True')?.type;

test('formatIndexes compresses runs', () => {
  assert.equal(formatIndexes([4, 0, 1, 2]), '0-2,4');
  assert.equal(formatIndexes([]), '');
});

test('a Job retries a failed pod and completes after 2 successful completions', async () => {
  await cp.client.create(JOBS, job('pi', { completions: 2, parallelism: 1, backoffLimit: 4 }));
  const j = await waitFor('complete', async () => { const x = await getJob('pi'); return condition(x) === 'Complete' && x; }, { timeoutMs: 20_000 });
  assert.equal(j.status!.succeeded, 2);
  assert.equal(j.status!.failed, 1);
  assert.ok(j.status!.completionTime);
  const pods = (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' }, { labelSelector: 'job-name=pi' })).items;
  assert.equal(pods.length, 3, 'one failed pod kept, two succeeded');
});

test('a Job fails once backoffLimit is exceeded', async () => {
  await cp.client.create(JOBS, job('always-fails', { backoffLimit: 2 }));
  const j = await waitFor('failed', async () => { const x = await getJob('always-fails'); return condition(x) === 'Failed' && x; }, { timeoutMs: 20_000 });
  assert.equal(j.status!.failed, 3);
  assert.equal(j.status!.conditions!.find((c) => c.type === 'Failed')!.reason, 'BackoffLimitExceeded');
});

test('an Indexed Job runs one pod per completion index', async () => {
  await cp.client.create(JOBS, job('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const j = await waitFor('complete', async () => { const x = await getJob('indexed'); return condition(x) === 'Complete' && x; }, { timeoutMs: 20_000 });
  assert.equal(j.status!.completedIndexes, '0-2');
  const pods = (await cp.client.list<Pod>({ resource: 'pods', namespace: 'default' }, { labelSelector: 'job-name=indexed' })).items;
  assert.deepEqual(pods.map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']).sort(), ['0', '1', '2']);
});
