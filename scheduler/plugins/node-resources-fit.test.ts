import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod, scoreAll } from '../framework/testing.js';
import { NodeResourcesFit } from './node-resources-fit.js';
import { BalancedAllocation } from './balanced-allocation.js';

test('NodeResourcesFit filter: cpu and memory against allocatable minus bound pods, all reasons listed', () => {
  const snap = Snapshot.from([makeNode('a', { cpu: '2', memory: '4Gi' }), makeNode('b', { cpu: '2', memory: '4Gi' })],
    [makePod('hog', { nodeName: 'a', cpu: '1500m', memory: '3Gi' })]);
  assert.deepEqual(filterAll(new NodeResourcesFit(), makePod('p', { cpu: '1', memory: '2Gi' }), snap), {
    a: 'Unschedulable: Insufficient cpu, Insufficient memory', b: 'passed',
  });
  assert.deepEqual(filterAll(new NodeResourcesFit(), makePod('fits', { cpu: '500m', memory: '1Gi' }), snap), { a: 'passed', b: 'passed' });
});

test('NodeResourcesFit filter: "Too many pods" at the pod limit even for pods without requests; extended resources', () => {
  const snap = Snapshot.from([makeNode('tiny', { pods: 1 })], [makePod('one', { nodeName: 'tiny' })]);
  assert.deepEqual(filterAll(new NodeResourcesFit(), makePod('two'), snap), { tiny: 'Unschedulable: Too many pods' });
  const gpuPod = makePod('g');
  gpuPod.spec.containers[0].resources = { requests: { 'nvidia.com/gpu': '1' } };
  assert.deepEqual(filterAll(new NodeResourcesFit(), gpuPod, Snapshot.from([makeNode('n')], [])), { n: 'Unschedulable: Insufficient nvidia.com/gpu' });
});

test('LeastAllocated score: the emptier node scores higher; defaults (100m, 200Mi) apply to pods without requests', () => {
  const snap = Snapshot.from([makeNode('a', { cpu: '1', memory: '1000Mi' }), makeNode('b', { cpu: '1', memory: '1000Mi' })],
    [makePod('x', { nodeName: 'a', cpu: '500m', memory: '500Mi' })]);
  const s = scoreAll(new NodeResourcesFit(), makePod('p'), snap);
  // b: cpu (1000-100)/1000 → 90, memory (1000-200)/1000 → 80 → 85; a: cpu 40, memory 30 → 35.
  assert.deepEqual(s, { a: 35, b: 85 });
});

test('BalancedAllocation score: equal cpu and memory fractions score 100, skewed ones less', () => {
  const snap = Snapshot.from([makeNode('a', { cpu: '1', memory: '1Gi' }), makeNode('b', { cpu: '1', memory: '1Gi' })],
    [makePod('x', { nodeName: 'a', cpu: '500m', memory: '512Mi' }), makePod('y', { nodeName: 'b', cpu: '800m', memory: '0' })]);
  const s = scoreAll(new BalancedAllocation(), makePod('p', { cpu: '0', memory: '0' }), snap);
  assert.deepEqual(s, { a: 100, b: 60 });
});
