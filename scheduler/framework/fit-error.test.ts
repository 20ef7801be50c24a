import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage, preemptionMessage, reasonHistogram, type Diagnosis } from './fit-error.js';
import { unresolvable, unschedulable } from './status.js';

function diagnosis(entries: [string, ReturnType<typeof unschedulable>][]): Diagnosis {
  return { nodeStatuses: new Map(entries), unschedulablePlugins: new Set(entries.map(([, s]) => s.plugin)) };
}

test('FitError message counts reasons over nodes and sorts them as strings (Kubernetes 1.27+ wording)', () => {
  const d = diagnosis([
    ['n1', unresolvable('TaintToleration', 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }')],
    ['n2', unschedulable('NodeResourcesFit', 'Insufficient cpu')],
    ['n3', unschedulable('NodeResourcesFit', 'Insufficient cpu')],
  ]);
  const pre = preemptionMessage(3, ['Preemption is not helpful for scheduling', 'No preemption victims found for incoming pod', 'No preemption victims found for incoming pod']);
  assert.equal(fitErrorMessage(3, d, pre),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..');
});

test('a node with several reasons contributes each; parts are sorted as strings', () => {
  const entries: [string, ReturnType<typeof unschedulable>][] = [['a', unschedulable('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory')]];
  for (let i = 0; i < 10; i++) entries.push([`t${i}`, unresolvable('NodeAffinity', "node(s) didn't match Pod's node affinity/selector")]);
  assert.deepEqual(reasonHistogram(new Map(entries).values()), ["1 Insufficient cpu", "1 Insufficient memory", "10 node(s) didn't match Pod's node affinity/selector"]);
});

test('a PreFilter rejection replaces the per-node histogram; zero nodes give the bare prefix', () => {
  const d: Diagnosis = { nodeStatuses: new Map(), preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims', unschedulablePlugins: new Set() };
  assert.equal(fitErrorMessage(4, d), '0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
  assert.equal(fitErrorMessage(0, diagnosis([])), '0/0 nodes are available:');
});
