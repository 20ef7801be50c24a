import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/interfaces.js';
import { Snapshot } from '../framework/snapshot.js';
import { filterAll, makeNode, makePod } from '../framework/testing.js';
import type { Pod } from '../framework/types.js';
import { VolumeBinding } from './volume-binding.js';

function withClaim(name: string, claim: string): Pod {
  const p = makePod(name);
  p.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: claim } }];
  return p;
}

function storageSnapshot(): Snapshot {
  const snap = Snapshot.from([makeNode('n1'), makeNode('n2')], []);
  const v = snap.volumes;
  v.classes.set('local-path', { metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, volumeBindingMode: 'WaitForFirstConsumer' });
  v.classes.set('shared', { metadata: { name: 'shared' }, volumeBindingMode: 'Immediate' });
  v.claims.set('default/bound', { metadata: { name: 'bound', namespace: 'default' }, spec: { volumeName: 'pv-1' } });
  v.claims.set('default/wffc', { metadata: { name: 'wffc', namespace: 'default' }, spec: {} });
  v.claims.set('default/immediate', { metadata: { name: 'immediate', namespace: 'default' }, spec: { storageClassName: 'shared' } });
  v.claims.set('default/dangling', { metadata: { name: 'dangling', namespace: 'default' }, spec: { volumeName: 'pv-gone' } });
  v.volumes.set('pv-1', { metadata: { name: 'pv-1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } } } });
  return snap;
}

test('VolumeBinding: a bound local volume pins the pod to its node; a WaitForFirstConsumer claim goes anywhere', () => {
  const snap = storageSnapshot();
  assert.deepEqual(filterAll(new VolumeBinding(), withClaim('p', 'bound'), snap), { n1: 'UnschedulableAndUnresolvable: node(s) had volume node affinity conflict', n2: 'passed' });
  assert.deepEqual(filterAll(new VolumeBinding(), withClaim('q', 'wffc'), snap), { n1: 'passed', n2: 'passed' });
  assert.deepEqual(filterAll(new VolumeBinding(), makePod('novol'), snap), { n1: 'passed', n2: 'passed' });
  assert.match(filterAll(new VolumeBinding(), withClaim('d', 'dangling'), snap).n1, /bound to non-existent pv/);
});

test('VolumeBinding PreFilter: missing claims and unbound Immediate claims reject the pod everywhere, worded as Kubernetes', () => {
  const snap = storageSnapshot();
  const pre = (pod: Pod) => new VolumeBinding().preFilter(new CycleState(), pod, snap);
  assert.deepEqual(pre(withClaim('a', 'nope')).reasons, ['persistentvolumeclaim "nope" not found']);
  assert.deepEqual(pre(withClaim('b', 'immediate')).reasons, ['pod has unbound immediate PersistentVolumeClaims']);
  assert.equal(pre(withClaim('b', 'immediate')).code, 'UnschedulableAndUnresolvable');
  snap.volumes.claims.get('default/wffc')!.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(pre(withClaim('c', 'wffc')).reasons, ['persistentvolumeclaim "wffc" is being deleted']);
});
