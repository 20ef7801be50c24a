import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentRow, replicaSetRow, replicationControllerRow, statefulSetRow, daemonSetRow, jobRow, cronJobRow, DEPLOYMENT_COLUMNS, DAEMONSET_COLUMNS, JOB_COLUMNS, CRONJOB_COLUMNS } from './workloads.js';

const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'web', creationTimestamp: '2026-11-22T09:57:00Z' };
const template = { spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox:1.36' }] } };
const selector = { matchLabels: { app: 'web' } };
const visible = (cols: { name: string; priority: number }[]) => cols.filter((c) => c.priority === 0).map((c) => c.name);

test('deployment row', () => {
  assert.deepEqual(visible(DEPLOYMENT_COLUMNS), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
  assert.deepEqual(deploymentRow({ metadata: meta, spec: { replicas: 3, selector, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, now),
    ['web', '2/3', 3, 2, '3m', 'a,b', 'nginx,busybox:1.36', 'app=web']);
  assert.deepEqual(deploymentRow({ metadata: meta, spec: { replicas: 1, selector, template } }, now).slice(1, 4), ['0/1', 0, 0]);
  assert.equal(deploymentRow({ metadata: meta, spec: { selector: {}, template } }, now)[7], '<none>', 'empty selector');
  assert.equal(deploymentRow({ metadata: meta, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] }, template } }, now)[7], '<error>');
});

test('replicaset, rc and statefulset rows', () => {
  assert.deepEqual(replicaSetRow({ metadata: meta, spec: { replicas: 3, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, template }, status: { replicas: 3, readyReplicas: 1 } }, now),
    ['web', 3, 3, 1, '3m', 'a,b', 'nginx,busybox:1.36', 'app in (web)']);
  assert.deepEqual(replicationControllerRow({ metadata: meta, spec: { replicas: 2, selector: { app: 'kubia' }, template }, status: { replicas: 2, readyReplicas: 2 } }, now).slice(0, 5), ['web', 2, 2, 2, '3m']);
  assert.equal(replicationControllerRow({ metadata: meta, spec: { replicas: 2, selector: { app: 'kubia' }, template } }, now)[7], 'app=kubia');
  assert.deepEqual(statefulSetRow({ metadata: meta, spec: { replicas: 3, template }, status: { readyReplicas: 1 } }, now), ['web', '1/3', '3m', 'a,b', 'nginx,busybox:1.36']);
});

test('daemonset row', () => {
  assert.deepEqual(visible(DAEMONSET_COLUMNS), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age']);
  const ds = { metadata: meta, spec: { selector, template: { spec: { ...template.spec, nodeSelector: { disk: 'ssd' } } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } };
  assert.deepEqual(daemonSetRow(ds, now).slice(0, 8), ['web', 2, 2, 1, 2, 1, 'disk=ssd', '3m']);
  assert.equal(daemonSetRow({ metadata: meta, spec: { selector, template } }, now)[6], '<none>');
});

test('job rows: status, completions, duration', () => {
  assert.deepEqual(visible(JOB_COLUMNS), ['Name', 'Status', 'Completions', 'Duration', 'Age']);
  const running = { metadata: meta, spec: { completions: 5, parallelism: 2, template, selector }, status: { startTime: '2026-11-22T09:58:00Z', succeeded: 2 } };
  assert.deepEqual(jobRow(running, now).slice(0, 5), ['web', 'Running', '2/5', '2m', '3m']);
  const done = { metadata: meta, spec: { completions: 1, template }, status: { startTime: '2026-11-22T09:57:00Z', completionTime: '2026-11-22T09:57:09Z', succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
  assert.deepEqual(jobRow(done, now).slice(1, 4), ['Complete', '1/1', '9s']);
  assert.equal(jobRow({ metadata: meta, spec: { template }, status: { conditions: [{ type: 'Failed', status: 'True' }] } }, now)[1], 'Failed');
  assert.equal(jobRow({ metadata: meta, spec: { parallelism: 3, template } }, now)[2], '0/1 of 3');
  assert.equal(jobRow({ metadata: meta, spec: { template } }, now)[3], '', 'no start time: empty duration');
  assert.equal(jobRow({ metadata: { ...meta, deletionTimestamp: '2026-11-22T09:59:00Z' }, spec: { template } }, now)[1], 'Terminating');
  assert.equal(jobRow({ metadata: meta, spec: { template }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }, now)[1], 'Suspended');
});

test('cronjob row', () => {
  assert.deepEqual(visible(CRONJOB_COLUMNS), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
  const cj = { metadata: meta, spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'web-1' }], lastScheduleTime: '2026-11-22T09:59:00Z' } };
  assert.deepEqual(cronJobRow(cj, now), ['web', '*/1 * * * *', '<none>', 'False', 1, '60s', '3m', 'a,b', 'nginx,busybox:1.36', '<none>']);
  assert.deepEqual(cronJobRow({ metadata: meta, spec: { schedule: '@hourly', timeZone: 'UTC' } }, now).slice(2, 6), ['UTC', '<unset>', 0, '<none>']);
});
