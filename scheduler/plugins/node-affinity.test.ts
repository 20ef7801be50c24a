import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod, scoreAll } from '../framework/testing.js';
import { NodeAffinity } from './node-affinity.js';

const snap = Snapshot.from([
  makeNode('ssd-a', { labels: { disk: 'ssd', zone: 'a', cores: '8' } }),
  makeNode('hdd-b', { labels: { disk: 'hdd', zone: 'b', cores: '2' } }),
  makeNode('bare'),
], []);
const NO = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

test('NodeAffinity filter: nodeSelector must match every label', () => {
  assert.deepEqual(filterAll(new NodeAffinity(), makePod('p', { nodeSelector: { disk: 'ssd' } }), snap), { 'ssd-a': 'passed', 'hdd-b': NO, bare: NO });
});

test('NodeAffinity filter: required terms are ORed, expressions inside a term ANDed; Gt/Lt and matchFields work', () => {
  const pod = makePod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'cores', operator: 'Gt', values: ['4'] }] },
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['bare'] }] },
  ] } } } });
  assert.deepEqual(filterAll(new NodeAffinity(), pod, snap), { 'ssd-a': 'passed', 'hdd-b': NO, bare: 'passed' });
  const notIn = makePod('q', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }, { key: 'disk', operator: 'Exists' }] },
  ] } } } });
  assert.deepEqual(filterAll(new NodeAffinity(), notIn, snap), { 'ssd-a': NO, 'hdd-b': 'passed', bare: NO });
  const bad = makePod('r', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'disk', operator: 'Near', values: ['x'] }] },
  ] } } } });
  assert.deepEqual(Object.values(filterAll(new NodeAffinity(), bad, snap)), [NO, NO, NO]);
});

test('NodeAffinity score: weights of matching preferred terms, normalized so the best node gets 100', () => {
  const pod = makePod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
    { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } },
  ] } } });
  assert.deepEqual(scoreAll(new NodeAffinity(), pod, snap), { 'ssd-a': 100, 'hdd-b': 25, bare: 0 });
});
