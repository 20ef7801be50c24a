import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulePod } from './framework/cycle.js';
import { Framework } from './framework/registry.js';
import { seededRandom } from '../lib/rng.js';
import { Snapshot } from './framework/snapshot.js';
import { makeNode, makePod } from './framework/testing.js';
import { defaultProfile, inTreeRegistry } from './plugins/index.js';
import { decisionLines } from './decision-log.js';

test('decision log: a summary line, then per node the failing plugins or the weighted scores and total', () => {
  const snap = Snapshot.from([makeNode('a'), makeNode('b', { cpu: '2' }), makeNode('tainted', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })], []);
  const r = schedulePod(new Framework(inTreeRegistry(), defaultProfile()), makePod('web-0', { cpu: '1' }), snap, { record: true, recordAll: true, rng: seededRandom(1) });
  const lines = decisionLines(r.decision!);
  assert.deepEqual(lines[0], { msg: 'scheduling decision', fields: { pod: 'default/web-0', selected: 'a', nodes: 3, feasible: 2 } });
  assert.deepEqual(lines[3].fields, { pod: 'default/web-0', node: 'tainted', filter: 'TaintToleration: node(s) had untolerated taint {k: v}' });
  assert.equal(lines[1].fields.filter, 'passed');
  assert.match(lines[1].fields.scores as string, /^TaintToleration=300,NodeAffinity=0,PodTopologySpread=0,InterPodAffinity=0,NodeResourcesFit=\d+,NodeResourcesBalancedAllocation=\d+,SelectorSpread=100$/);
  assert.ok((lines[1].fields.total as number) > (lines[2].fields.total as number), 'the emptier 4-CPU node beats the 2-CPU one');
});
