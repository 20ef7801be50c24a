import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod } from '../framework/testing.js';
import { NodeUnschedulable } from './node-unschedulable.js';

test('NodeUnschedulable rejects cordoned nodes unless the pod tolerates the unschedulable taint', () => {
  const snap = Snapshot.from([makeNode('open'), makeNode('cordoned', { unschedulable: true })], []);
  assert.deepEqual(filterAll(new NodeUnschedulable(), makePod('p'), snap), {
    open: 'passed', cordoned: 'UnschedulableAndUnresolvable: node(s) were unschedulable',
  });
  const tolerant = makePod('t', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(filterAll(new NodeUnschedulable(), tolerant, snap), { open: 'passed', cordoned: 'passed' });
});
