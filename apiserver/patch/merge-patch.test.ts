import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

test('RFC 7386 examples', () => {
  assert.deepEqual(applyMergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  assert.deepEqual(applyMergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
  assert.deepEqual(applyMergePatch({ a: 'b' }, { a: null }), {});
  assert.deepEqual(applyMergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
  assert.deepEqual(applyMergePatch({ a: ['b'] }, { a: 'c' }), { a: 'c' });
  assert.deepEqual(applyMergePatch({ a: 'c' }, { a: ['b'] }), { a: ['b'] });
  assert.deepEqual(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
  assert.deepEqual(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(applyMergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  assert.deepEqual(applyMergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

test('kubectl scale / label / annotate shapes', () => {
  const dep = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } } };
  const scaled = applyMergePatch(dep, { spec: { replicas: 3 } }) as typeof dep;
  assert.equal(scaled.spec.replicas, 3);
  assert.deepEqual(scaled.spec.template, dep.spec.template);
  const labelled = applyMergePatch(dep, { metadata: { labels: { tier: 'fe', app: null } } });
  assert.deepEqual((labelled as typeof dep).metadata.labels, { tier: 'fe' });
  const annotated = applyMergePatch(dep, { metadata: { annotations: { note: 'x' } } }) as { metadata: { annotations: unknown } };
  assert.deepEqual(annotated.metadata.annotations, { note: 'x' });
  assert.equal(dep.spec.replicas, 1, 'input untouched');
});
