import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { CronJobController, mostRecentSchedule } from './cron-job.js';
import type { KObject } from '../../lib/api/object.js';
import type { Job } from '../../lib/api/types.js';

let cp: TestControlPlane;
const stop = new AbortController();
let clock = new Date();
let controller: CronJobController;
const reasons: string[] = [];
const CJ = { group: 'batch', resource: 'cronjobs', namespace: 'default' };

before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  controller = new CronJobController(informers, cp.client, { event: (_o, _t, reason) => { reasons.push(reason); } }, { now: () => clock });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void controller.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

test('mostRecentSchedule finds the last missed time and counts misses', () => {
  const r = mostRecentSchedule('*/5 * * * *', undefined, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:17:00Z'));
  assert.equal(r.time?.toISOString(), '2026-01-01T00:15:00.000Z');
  assert.equal(r.missed, 3);
  const tz = mostRecentSchedule('0 9 * * *', 'Asia/Shanghai', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'));
  assert.equal(tz.time?.toISOString(), '2026-01-01T01:00:00.000Z', '09:00 in Shanghai is 01:00 UTC');
  assert.throws(() => mostRecentSchedule('not a schedule', undefined, new Date(), new Date()));
});

async function jobs(): Promise<Job[]> {
  return (await cp.client.list<Job>({ group: 'batch', resource: 'jobs', namespace: 'default' })).items;
}

test('a CronJob creates a Job per schedule time; Forbid skips while one is active', async () => {
  const created = await cp.client.create(CJ, {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'hello' },
    spec: { schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox', command: ['sh', '-c', 'date; echo Hello'] }] } } } } },
  } as KObject);
  const t0 = Date.parse(created.metadata!.creationTimestamp!);
  // Advance the controller's clock past the next minute boundary.
  clock = new Date(Math.ceil((t0 + 1000) / 60_000) * 60_000 + 5_000);
  controller.queue.add('default/hello');
  const [job] = await waitFor('first job', async () => { const j = await jobs(); return j.length === 1 && j; });
  const minute = Math.floor((clock.getTime() - 5_000) / 60_000);
  assert.equal(job.metadata!.name, `hello-${minute}`);
  assert.equal(job.metadata!.ownerReferences?.[0]?.kind, 'CronJob');
  await waitFor('status.active', async () => ((await cp.client.get({ ...CJ, name: 'hello' })).status as { active?: unknown[] } | undefined)?.active?.length === 1);
  // The job is still active: with Forbid the next minute is skipped.
  clock = new Date(clock.getTime() + 60_000);
  controller.queue.add('default/hello');
  await waitFor('JobAlreadyActive event', () => reasons.includes('JobAlreadyActive'));
  assert.equal((await jobs()).length, 1, 'Forbid: no second job while the first is active');
});
