/**
 * The Workloads view in chromium for the other controllers: a StatefulSet's pods in ordinal
 * order, a DaemonSet with one pod per node (named), a Job with its pod and success count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../../lib/api/object.js';
import { startDashCluster } from './cluster.js';
import { artifactDir, launchBrowser } from './browser.js';
import { join } from 'node:path';

const suffix = Math.random().toString(36).slice(2, 6);
const P = `ksimt-${suffix}w-`;
const pod = '{containers: [{name: c, image: busybox}]}';
const MANIFESTS = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: ${pod}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: ${pod}}
`;

test('workloads in chromium: StatefulSet ordinals, DaemonSet per node, Job runs', { timeout: 120_000 }, async (t) => {
  const c = await startDashCluster([{ prefix: P, count: 2 }]);
  t.after(() => c.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const T = { timeout: 30_000 };
  for (const d of parseAllDocuments(MANIFESTS)) {
    const o = d.toJS() as KObject;
    await c.cp.client.create({ group: 'apps', resource: o.kind === 'StatefulSet' ? 'statefulsets' : 'daemonsets', namespace: 'default' }, o);
  }
  await page.goto(c.dash.url);
  await page.click('[data-tab="Workloads"]');
  const sts = page.locator('section.workload:has-text("StatefulSet default/db") .pod[data-phase="Running"]');
  await sts.nth(2).waitFor(T);
  assert.deepEqual(await sts.evaluateAll((els) => els.map((e) => e.getAttribute('data-pod'))), ['default/db-0', 'default/db-1', 'default/db-2']);
  const ds = page.locator('section.workload:has-text("DaemonSet default/agent") li');
  await page.locator('section.workload:has-text("DaemonSet default/agent") .pod[data-phase="Running"]').nth(1).waitFor(T);
  assert.deepEqual((await ds.allInnerTexts()).map((x) => x.split(':')[0].replace(/^\W+/, '').trim()).sort(), [`${P}0`, `${P}1`]);

  // A Job whose pod the test finishes (hollow pods run until told otherwise).
  await c.cp.client.create({ group: 'batch', resource: 'jobs', namespace: 'default' }, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
  const job = page.locator('section.workload:has-text("Job default/once")');
  await job.locator('.pod[data-phase="Running"]').waitFor(T);
  const jobPod = (await job.locator('.pod').getAttribute('data-pod'))!.split('/')[1];
  const cur = await c.cp.client.get<KObject>({ resource: 'pods', namespace: 'default', name: jobPod });
  const now = new Date().toISOString();
  await c.cp.client.updateStatus({ resource: 'pods', namespace: 'default' }, { ...cur, status: { ...(cur.status as object), phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }], containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: now } } }] } });
  await job.locator('.meta:has-text("1 succeeded")').waitFor(T);
  assert.equal(await job.locator('.pod[data-phase="Succeeded"]').count(), 1);
  await page.screenshot({ path: join(artifactDir('dashboard'), 'workloads.png'), fullPage: true });
});
