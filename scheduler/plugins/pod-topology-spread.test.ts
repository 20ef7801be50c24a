import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod, scoreAll } from '../framework/testing.js';
import { PodTopologySpread } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const spread = (maxSkew: number) => [{ maxSkew, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
const NO = "Unschedulable: node(s) didn't match pod topology spread constraints";

test('PodTopologySpread: a zone already ahead by maxSkew is rejected; nodes without the key are unresolvable', () => {
  const snap = Snapshot.from([
    makeNode('a1', { labels: { [ZONE]: 'a' } }), makeNode('b1', { labels: { [ZONE]: 'b' } }), makeNode('nozone'),
  ], [makePod('w0', { nodeName: 'a1', labels: { app: 'web' } }), makePod('other', { nodeName: 'b1', labels: { app: 'db' } })]);
  assert.deepEqual(filterAll(new PodTopologySpread(), makePod('w1', { labels: { app: 'web' }, spread: spread(1) }), snap), {
    a1: NO, b1: 'passed', nozone: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
  });
  assert.equal(filterAll(new PodTopologySpread(), makePod('w2', { labels: { app: 'web' }, spread: spread(2) }), snap).a1, 'passed');
});

test('PodTopologySpread: nodes excluded by the pod\'s nodeSelector do not count as domains; minDomains raises the bar', () => {
  const snap = Snapshot.from([
    makeNode('a1', { labels: { [ZONE]: 'a', pool: 'x' } }), makeNode('b1', { labels: { [ZONE]: 'b', pool: 'y' } }),
  ], [makePod('w0', { nodeName: 'a1', labels: { app: 'web' } })]);
  const onlyX = makePod('w1', { labels: { app: 'web' }, spread: spread(1), nodeSelector: { pool: 'x' } });
  // Only zone a is eligible: min = 1, skew on a1 = 1+1-1 = 1 → fits.
  assert.equal(filterAll(new PodTopologySpread(), onlyX, snap).a1, 'passed');
  const withMin = makePod('w2', { labels: { app: 'web' }, nodeSelector: { pool: 'x' }, spread: [{ ...spread(1)[0], minDomains: 2 }] });
  assert.equal(filterAll(new PodTopologySpread(), withMin, snap).a1, NO);
  const soft = makePod('w3', { labels: { app: 'web' }, spread: [{ ...spread(0)[0], whenUnsatisfiable: 'ScheduleAnyway' }] });
  assert.deepEqual(filterAll(new PodTopologySpread(), soft, snap), { a1: 'passed', b1: 'passed' });
});

test('PodTopologySpread score (ScheduleAnyway): the emptier domain scores 100, nodes without the key 0', () => {
  const snap = Snapshot.from([
    makeNode('a1', { labels: { [ZONE]: 'a' } }), makeNode('a2', { labels: { [ZONE]: 'a' } }), makeNode('b1', { labels: { [ZONE]: 'b' } }), makeNode('nozone'),
  ], [makePod('w0', { nodeName: 'a1', labels: { app: 'web' } }), makePod('w1', { nodeName: 'a2', labels: { app: 'web' } }), makePod('x', { nodeName: 'b1', labels: { app: 'db' } })]);
  const soft = makePod('w2', { labels: { app: 'web' }, spread: [{ ...spread(1)[0], whenUnsatisfiable: 'ScheduleAnyway' }] });
  // Zone a holds 2 matching pods: 2 × log(2 domains + 2) ≈ 2.77 → 3; zone b 0; normalized 100 × (max + min − s) / max.
  assert.deepEqual(scoreAll(new PodTopologySpread(), soft, snap), { a1: 0, a2: 0, b1: 100, nozone: 0 });
  const hardOnly = makePod('w3', { labels: { app: 'web' }, spread: spread(1) });
  assert.deepEqual(scoreAll(new PodTopologySpread(), hardOnly, snap), { a1: 0, a2: 0, b1: 0, nozone: 0 });
});
