import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulePod } from './cycle.js';
import { fitErrorMessage } from './fit-error.js';
import { preempt } from './preemption.js';
import { Framework } from './registry.js';
import { Snapshot } from './snapshot.js';
import { makeNode, makePod } from './testing.js';
import { defaultProfile, inTreeRegistry } from '../plugins/index.js';

const fw = () => new Framework(inTreeRegistry(), defaultProfile());

test('preemption picks the node whose victims matter least and evicts only as many as needed', () => {
  const snap = Snapshot.from([makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })], [
    makePod('a-low', { nodeName: 'a', cpu: '1', priority: 10 }), makePod('a-mid', { nodeName: 'a', cpu: '1', priority: 50 }),
    makePod('b-mid1', { nodeName: 'b', cpu: '1', priority: 50 }), makePod('b-mid2', { nodeName: 'b', cpu: '1', priority: 50 }),
  ]);
  const pod = makePod('urgent', { cpu: '1', priority: 100 });
  const r = schedulePod(fw(), pod, snap);
  assert.equal(r.nodeName, undefined);
  const p = preempt(fw(), pod, snap, r.diagnosis);
  assert.equal(p.candidate?.nodeName, 'a');
  assert.deepEqual(p.candidate?.victims.map((v) => v.metadata.name), ['a-low']);
  assert.equal(snap.get('a')!.pods.size, 2, 'the dry run restored the snapshot');
  assert.equal(snap.get('a')!.requested.milliCPU, 2000);
});

test('no candidate: the FitError carries Kubernetes\' preemption verdicts per node', () => {
  const snap = Snapshot.from([
    makeNode('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    makeNode('n2', { cpu: '1' }), makeNode('n3', { cpu: '1' }),
  ], [makePod('important', { nodeName: 'n2', cpu: '500m', priority: 1000 })]);
  const pod = makePod('big', { cpu: '2' });
  const r = schedulePod(fw(), pod, snap);
  const p = preempt(fw(), pod, snap, r.diagnosis);
  assert.equal(p.candidate, undefined);
  assert.equal(fitErrorMessage(3, r.diagnosis, p.message),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..');
  const never = makePod('polite', { cpu: '2', priority: 5000 });
  never.spec.preemptionPolicy = 'Never';
  assert.equal(preempt(fw(), never, snap, schedulePod(fw(), never, snap).diagnosis).message, 'not eligible due to preemptionPolicy=Never.');
});

test('nominated pods hold their room; a preemptor waiting for a terminating victim does not evict more', () => {
  const snap = Snapshot.from([makeNode('a', { cpu: '1' })], []);
  const nominee = makePod('nominee', { cpu: '800m', priority: 100 });
  const nominated = (node: string) => (node === 'a' ? [nominee] : []);
  const r = schedulePod(fw(), makePod('small', { cpu: '500m', priority: 10 }), snap, { nominatedPods: nominated });
  assert.equal(r.nodeName, undefined);
  assert.equal(fitErrorMessage(1, r.diagnosis), '0/1 nodes are available: 1 Insufficient cpu.');
  assert.equal(snap.get('a')!.pods.size, 0, 'the nominated pod was only counted during filtering');
  assert.equal(schedulePod(fw(), makePod('small'), snap).nodeName, 'a');

  const leaving = makePod('leaving', { nodeName: 'a', cpu: '800m', priority: 1 });
  leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  snap.upsertPod(leaving);
  const waiting = makePod('waiting', { cpu: '800m', priority: 100 });
  waiting.status = { nominatedNodeName: 'a' };
  assert.equal(preempt(fw(), waiting, snap, schedulePod(fw(), waiting, snap).diagnosis).message, 'not eligible due to a terminating pod on the nominated node.');
});
