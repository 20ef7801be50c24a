import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod, scoreAll } from '../framework/testing.js';
import { TaintToleration } from './taint-toleration.js';

const snap = Snapshot.from([
  makeNode('clean'),
  makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }),
  makeNode('down', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
  makeNode('soft', { taints: [{ key: 'spot', value: 'yes', effect: 'PreferNoSchedule' }] }),
], []);

test('TaintToleration filter: NoSchedule and NoExecute need a toleration; the reason names the taint', () => {
  assert.deepEqual(filterAll(new TaintToleration(), makePod('p'), snap), {
    clean: 'passed',
    gpu: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {gpu: true}',
    down: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    soft: 'passed',
  });
  const tol = makePod('t', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
  assert.deepEqual(Object.values(filterAll(new TaintToleration(), tol, snap)), ['passed', 'passed', 'passed', 'passed']);
  const wrongValue = makePod('w', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] });
  assert.match(filterAll(new TaintToleration(), wrongValue, snap).gpu, /untolerated taint \{gpu: true\}/);
});

test('TaintToleration score: an untolerated PreferNoSchedule taint lowers the score; tolerating it restores it', () => {
  const s = scoreAll(new TaintToleration(), makePod('p'), snap);
  assert.equal(s.clean, 100);
  assert.equal(s.soft, 0);
  const tol = makePod('t', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  assert.equal(scoreAll(new TaintToleration(), tol, snap).soft, 100);
});
