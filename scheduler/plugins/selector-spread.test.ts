import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { makeNode, makePod, scoreAll } from '../framework/testing.js';
import { SelectorSpread } from './selector-spread.js';

test('SelectorSpread: nodes with fewer pods of the same controller score higher; other owners do not count', () => {
  const snap = Snapshot.from([makeNode('a'), makeNode('b'), makeNode('c')], [
    makePod('r1', { nodeName: 'a', owner: 'rs-1' }), makePod('r2', { nodeName: 'a', owner: 'rs-1' }),
    makePod('r3', { nodeName: 'b', owner: 'rs-1' }), makePod('o1', { nodeName: 'c', owner: 'rs-2' }),
  ]);
  assert.deepEqual(scoreAll(new SelectorSpread(), makePod('r4', { owner: 'rs-1' }), snap), { a: 0, b: 50, c: 100 });
  assert.deepEqual(scoreAll(new SelectorSpread(), makePod('lonely'), snap), { a: 100, b: 100, c: 100 });
});

test('SelectorSpread: zones weigh 2/3 when nodes carry the zone label', () => {
  const z = (zone: string) => ({ labels: { 'topology.kubernetes.io/zone': zone } });
  const snap = Snapshot.from([makeNode('a1', z('a')), makeNode('a2', z('a')), makeNode('b1', z('b'))], [makePod('r1', { nodeName: 'a1', owner: 'rs' })]);
  // a2 is empty but in the busy zone: node part 100 × 1/3 + zone part 0 → 33; b1: 100.
  assert.deepEqual(scoreAll(new SelectorSpread(), makePod('r2', { owner: 'rs' }), snap), { a1: 0, a2: 33, b1: 100 });
});
