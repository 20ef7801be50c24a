import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulePod } from './cycle.js';
import { Framework } from './registry.js';
import { seededRandom } from '../../lib/rng.js';
import { Snapshot } from './snapshot.js';
import { makeNode, makePod } from './testing.js';
import { defaultProfile, inTreeRegistry } from '../plugins/index.js';
import { fitErrorMessage } from './fit-error.js';
import { isApiError } from '../../lib/errors.js';

const fw = () => new Framework(inTreeRegistry(), defaultProfile());

test('the least allocated feasible node wins and the decision record shows every plugin per node', () => {
  const snap = Snapshot.from(
    [makeNode('busy'), makeNode('idle'), makeNode('small', { cpu: '100m' })],
    [makePod('x', { nodeName: 'busy', cpu: '3', memory: '6Gi' })],
  );
  const r = schedulePod(fw(), makePod('web-0', { cpu: '500m', memory: '512Mi' }), snap, { record: true, rng: seededRandom(1) });
  assert.equal(r.nodeName, 'idle');
  assert.equal(r.feasibleNodes, 2);
  const d = r.decision!;
  assert.equal(d.selectedNode, 'idle');
  assert.equal(d.filter.small.NodeResourcesFit, 'Insufficient cpu');
  assert.equal(d.filter.idle.NodeResourcesFit, 'passed');
  assert.ok(d.score.idle.NodeResourcesFit.normalized > d.score.busy.NodeResourcesFit.normalized);
  assert.equal(d.score.idle.TaintToleration.weighted, 300);
  assert.ok(d.finalScore.idle > d.finalScore.busy);
  assert.equal(d.score.small, undefined);
});

test('ties are broken at random but reproducibly with a seeded RNG, and every tied node can win', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => makeNode(n));
  const winners = new Set<string>();
  const rng = seededRandom(42);
  for (let i = 0; i < 200; i++) winners.add(schedulePod(fw(), makePod(`p${i}`), Snapshot.from(nodes, []), { rng }).nodeName!);
  assert.deepEqual([...winners].sort(), ['a', 'b', 'c', 'd']);
  const pick = (seed: number) => schedulePod(fw(), makePod('p'), Snapshot.from(nodes, []), { rng: seededRandom(seed) }).nodeName;
  assert.equal(pick(7), pick(7));
});

test('no feasible node: the first failing plugin per node names the reason, recordAll shows the rest', () => {
  const snap = Snapshot.from([
    makeNode('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], cpu: '100m' }),
    makeNode('n2', { cpu: '1' }),
    makeNode('n3', { cpu: '1' }),
  ], []);
  const r = schedulePod(fw(), makePod('big', { cpu: '2' }), snap, { record: true, recordAll: true });
  assert.equal(r.nodeName, undefined);
  assert.equal(fitErrorMessage(3, r.diagnosis), '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.');
  assert.equal(r.decision!.filter.n1.NodeResourcesFit, 'Insufficient cpu');
  assert.deepEqual([...r.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('assumed pods count: after adding a chosen pod to the snapshot the next pod sees its requests', () => {
  const snap = Snapshot.from([makeNode('only', { cpu: '1' })], []);
  const first = makePod('a', { cpu: '800m' });
  const r1 = schedulePod(fw(), first, snap);
  assert.equal(r1.nodeName, 'only');
  snap.upsertPod(first, r1.nodeName);
  const r2 = schedulePod(fw(), makePod('b', { cpu: '800m' }), snap);
  assert.equal(r2.nodeName, undefined);
  assert.equal(fitErrorMessage(1, r2.diagnosis), '0/1 nodes are available: 1 Insufficient cpu.');
  snap.removePod(first);
  assert.equal(schedulePod(fw(), makePod('b', { cpu: '800m' }), snap).nodeName, 'only');
});

test('an unknown plugin in a profile is refused at startup', () => {
  assert.throws(() => new Framework(inTreeRegistry(), { schedulerName: 'x', filters: ['Nope'], scores: [] }), /plugin "Nope" is not registered/);
});

test('a malformed quantity in the pod is a clear ApiError for that pod, not a crash of the cycle machinery', () => {
  const snap = Snapshot.from([makeNode('a')], []);
  assert.throws(() => schedulePod(fw(), makePod('bad', { cpu: '12zz' }), snap), (e) => isApiError(e, 'BadRequest') && /quantities must match/.test((e as Error).message));
  assert.equal(schedulePod(fw(), makePod('good', { cpu: '1' }), snap).nodeName, 'a');
});
