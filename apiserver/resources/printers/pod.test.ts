import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRow, POD_COLUMNS } from './pod.js';
import type { Pod, ContainerStatus } from '../../../lib/api/types.js';

const now = new Date('2026-11-22T10:00:00Z');
const created = '2026-11-22T09:50:00Z';

function pod(status: Pod['status'], extra: Partial<Pod> = {}, containers = ['web']): Pod {
  return { metadata: { name: 'p', creationTimestamp: created, ...extra.metadata }, spec: { containers: containers.map((name) => ({ name, image: 'nginx' })), ...extra.spec }, status };
}
const running = (name = 'web', restartCount = 0): ContainerStatus => ({ name, ready: true, restartCount, state: { running: { startedAt: created } } });
const waiting = (reason: string, restartCount = 0, finishedAt?: string): ContainerStatus => ({
  name: 'web', ready: false, restartCount, state: { waiting: { reason } }, lastState: finishedAt ? { terminated: { exitCode: 1, reason: 'Error', finishedAt } } : {},
});
const cells = (p: Pod) => podRow(p, now).slice(0, 5);

test('columns: standard then wide', () => {
  assert.deepEqual(POD_COLUMNS.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  assert.deepEqual(POD_COLUMNS.filter((c) => c.priority === 1).map((c) => c.name), ['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
});

test('pending, creating, running', () => {
  assert.deepEqual(cells(pod({ phase: 'Pending' })), ['p', '0/1', 'Pending', '0', '10m']);
  assert.deepEqual(cells(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] })), ['p', '0/1', 'ContainerCreating', '0', '10m']);
  assert.deepEqual(cells(pod({ phase: 'Running', containerStatuses: [running()] })), ['p', '1/1', 'Running', '0', '10m']);
  assert.deepEqual(cells(pod({ phase: 'Running', containerStatuses: [running('a'), { ...running('b'), ready: false }] }, {}, ['a', 'b'])), ['p', '1/2', 'Running', '0', '10m']);
});

test('crash loop and image pull errors, restarts with "ago"', () => {
  assert.deepEqual(cells(pod({ phase: 'Running', containerStatuses: [waiting('CrashLoopBackOff', 5, '2026-11-22T09:55:00Z')] })), ['p', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '10m']);
  assert.equal(cells(pod({ phase: 'Pending', containerStatuses: [waiting('ErrImagePull')] }))[2], 'ErrImagePull');
  assert.equal(cells(pod({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff')] }))[2], 'ImagePullBackOff');
  assert.equal(cells(pod({ phase: 'Running', containerStatuses: [{ ...running(), restartCount: 2 }] }))[3], '2', 'no finish time: plain count');
});

test('completed, error, exit codes and signals', () => {
  const term = (t: object): ContainerStatus => ({ name: 'web', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, ...t } } });
  assert.deepEqual(cells(pod({ phase: 'Succeeded', containerStatuses: [term({ reason: 'Completed' })] })), ['p', '0/1', 'Completed', '0', '10m']);
  assert.equal(cells(pod({ phase: 'Failed', containerStatuses: [term({ exitCode: 1, reason: 'Error' })] }))[2], 'Error');
  assert.equal(cells(pod({ phase: 'Failed', containerStatuses: [term({ exitCode: 137 })] }))[2], 'ExitCode:137');
  assert.equal(cells(pod({ phase: 'Failed', containerStatuses: [term({ exitCode: 0, signal: 9 })] }))[2], 'Signal:9');
  assert.equal(cells(pod({ phase: 'Failed', reason: 'Evicted' }))[2], 'Evicted');
});

test('completed with a container still running shows Running or NotReady', () => {
  const done: ContainerStatus = { name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
  const st = { phase: 'Running', containerStatuses: [done, running('b')] };
  assert.equal(cells(pod({ ...st, conditions: [{ type: 'Ready', status: 'True' }] }, {}, ['a', 'b']))[2], 'Running');
  assert.equal(cells(pod(st, {}, ['a', 'b']))[2], 'NotReady');
});

test('init containers', () => {
  const spec = { containers: [{ name: 'web', image: 'nginx' }], initContainers: [{ name: 'init', image: 'busybox' }] };
  const init = (state: object, restartCount = 0): ContainerStatus => ({ name: 'init', ready: false, restartCount, state });
  assert.deepEqual(cells(pod({ phase: 'Pending', initContainerStatuses: [init({ running: {} })], containerStatuses: [waiting('PodInitializing')] }, { spec })), ['p', '0/1', 'Init:0/1', '0', '10m']);
  assert.equal(cells(pod({ phase: 'Pending', initContainerStatuses: [init({ waiting: { reason: 'PodInitializing' } })] }, { spec }))[2], 'Init:0/1');
  assert.equal(cells(pod({ phase: 'Pending', initContainerStatuses: [init({ terminated: { exitCode: 1, reason: 'Error' } })] }, { spec }))[2], 'Init:Error');
  assert.equal(cells(pod({ phase: 'Pending', initContainerStatuses: [init({ terminated: { exitCode: 2 } })] }, { spec }))[2], 'Init:ExitCode:2');
  assert.equal(cells(pod({ phase: 'Pending', initContainerStatuses: [init({ waiting: { reason: 'CrashLoopBackOff' } }, 3)] }, { spec }))[2], 'Init:CrashLoopBackOff');
  assert.deepEqual(cells(pod({ phase: 'Running', initContainerStatuses: [init({ terminated: { exitCode: 0, reason: 'Completed' } })], containerStatuses: [running()] }, { spec })), ['p', '1/1', 'Running', '0', '10m']);
});

test('terminating while running, not once terminal', () => {
  const meta = { metadata: { name: 'p', creationTimestamp: created, deletionTimestamp: '2026-11-22T09:59:00Z' } };
  assert.equal(cells(pod({ phase: 'Running', containerStatuses: [running()] }, meta))[2], 'Terminating');
  assert.equal(cells(pod({ phase: 'Succeeded' }, meta))[2], 'Succeeded');
});

test('wide columns', () => {
  assert.deepEqual(podRow(pod({ phase: 'Pending' }), now).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  const p = pod({ phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], nominatedNodeName: 'n2', conditions: [{ type: 'g1', status: 'True' }, { type: 'g2', status: 'False' }] },
    { spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }], readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] } });
  assert.deepEqual(podRow(p, now).slice(5), ['10.244.1.5', 'node-1', 'n2', '1/2']);
});
