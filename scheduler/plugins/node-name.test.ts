import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod } from '../framework/testing.js';
import { NodeName } from './node-name.js';

test('NodeName passes every node for a pod without spec.nodeName and only the named one otherwise', () => {
  const snap = Snapshot.from([makeNode('a'), makeNode('b')], []);
  assert.deepEqual(filterAll(new NodeName(), makePod('p'), snap), { a: 'passed', b: 'passed' });
  const named = makePod('q');
  named.spec.nodeName = 'b';
  assert.deepEqual(filterAll(new NodeName(), named, snap), { a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", b: 'passed' });
});
