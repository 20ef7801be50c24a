import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimClass, findMatchingVolume, mismatches } from './matching.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../lib/api/types.js';

const pv = (name: string, storage: string, modes: string[], extra: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>): PersistentVolume =>
  ({ metadata: { name, labels }, spec: { capacity: { storage }, accessModes: modes, storageClassName: 'manual', volumeMode: 'Filesystem', ...extra } });
const claim = (storage: string, modes: string[], extra: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim =>
  ({ metadata: { name: 'c', namespace: 'default', uid: 'u1' }, spec: { accessModes: modes, resources: { requests: { storage } }, storageClassName: 'manual', ...extra } });

test('the smallest fitting volume wins; capacity below the request never fits', () => {
  const pvs = [pv('big', '10Gi', ['ReadWriteOnce']), pv('tiny', '100Mi', ['ReadWriteOnce']), pv('small', '1Gi', ['ReadWriteOnce', 'ReadOnlyMany'])];
  assert.equal(findMatchingVolume(claim('500Mi', ['ReadWriteOnce']), pvs, 'manual')?.metadata?.name, 'small');
  assert.equal(findMatchingVolume(claim('2Gi', ['ReadWriteOnce']), pvs, 'manual')?.metadata?.name, 'big');
  assert.equal(findMatchingVolume(claim('20Gi', ['ReadWriteOnce']), pvs, 'manual'), undefined);
});

test('access modes must be a subset; class, volumeMode and selector must match', () => {
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce']), claim('1Gi', ['ReadWriteMany']), 'manual'), ['access modes']);
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce', 'ReadOnlyMany']), claim('1Gi', ['ReadOnlyMany']), 'manual'), []);
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce']), claim('1Gi', ['ReadWriteOnce']), 'fast'), ['storage class']);
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce'], { volumeMode: 'Block' }), claim('1Gi', ['ReadWriteOnce']), 'manual'), ['volume mode']);
  const sel = claim('1Gi', ['ReadWriteOnce'], { selector: { matchLabels: { tier: 'db' } } });
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce'], {}, { tier: 'web' }), sel, 'manual'), ['selector']);
  assert.deepEqual(mismatches(pv('a', '1Gi', ['ReadWriteOnce'], {}, { tier: 'db' }), sel, 'manual'), []);
});

test('a volume held by another claim is skipped; one pre-bound to this claim is preferred', () => {
  const held = pv('held', '1Gi', ['ReadWriteOnce'], { claimRef: { name: 'other', namespace: 'default', uid: 'u2' } });
  const mine = pv('mine', '5Gi', ['ReadWriteOnce'], { claimRef: { name: 'c', namespace: 'default' } });
  const free = pv('free', '1Gi', ['ReadWriteOnce']);
  assert.equal(findMatchingVolume(claim('1Gi', ['ReadWriteOnce']), [held, free], 'manual')?.metadata?.name, 'free');
  assert.equal(findMatchingVolume(claim('1Gi', ['ReadWriteOnce']), [held, free, mine], 'manual')?.metadata?.name, 'mine');
});

test('an unset class means the default class; an empty class means none', () => {
  assert.equal(claimClass({ spec: {} }, 'local-path'), 'local-path');
  assert.equal(claimClass({ spec: { storageClassName: '' } }, 'local-path'), '');
});
