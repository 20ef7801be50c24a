import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, parsePointer } from './json-patch.js';
import { ApiError } from '../../lib/errors.js';

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ApiError && err.code === code && (!message || message.test(err.message)));
}

test('pointer escaping: ~1 is "/" and ~0 is "~"', () => {
  assert.deepEqual(parsePointer('/metadata/annotations/a~1b~0c'), ['metadata', 'annotations', 'a/b~c']);
  assert.deepEqual(parsePointer(''), []);
  expectCode(() => parsePointer('x'), 'BadRequest');
  expectCode(() => parsePointer('/a~2'), 'BadRequest');
});

test('add, replace, remove on maps and arrays, "-" appends', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/b', value: '2' },
    { op: 'replace', path: '/metadata/labels/a', value: 'x' },
    { op: 'add', path: '/spec/list/-', value: 3 },
    { op: 'add', path: '/spec/list/0', value: 0 },
    { op: 'remove', path: '/spec/list/1' },
  ]);
  assert.deepEqual(out, { metadata: { labels: { a: 'x', b: '2' } }, spec: { list: [0, 2, 3] } });
  assert.deepEqual(doc, { metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } }, 'input untouched');
});

test('annotation keys with "/" via ~1 (kubectl rollout undo style replace)', () => {
  const doc = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' } } };
  const out = applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/annotations/deployment.kubernetes.io~1revision', value: '3' }]);
  assert.deepEqual(out, { metadata: { annotations: { 'deployment.kubernetes.io/revision': '3' } } });
});

test('move and copy', () => {
  const out = applyJsonPatch({ a: { x: 1 }, b: {} }, [
    { op: 'copy', from: '/a/x', path: '/b/y' },
    { op: 'move', from: '/a', path: '/c' },
  ]);
  assert.deepEqual(out, { b: { y: 1 }, c: { x: 1 } });
  expectCode(() => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), 'Invalid');
});

test('test op: success passes, failure is 422 with the json-patch wording', () => {
  const doc = { spec: { replicas: 3 } };
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/spec/replicas', value: 4 }]), { spec: { replicas: 4 } });
  expectCode(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]), 'Invalid', /^testing value \/spec\/replicas failed: test failed$/);
  expectCode(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/paused', value: true }]), 'Invalid', /^testing value \/spec\/paused failed: test failed$/);
  assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/spec/paused', value: null }]), doc, 'a missing value tests equal to null');
});

test('operations on missing paths are 422, malformed patches are 400', () => {
  expectCode(() => applyJsonPatch({}, [{ op: 'replace', path: '/spec/x', value: 1 }]), 'Invalid', /replace operation does not apply/);
  expectCode(() => applyJsonPatch({}, [{ op: 'remove', path: '/x' }]), 'Invalid', /remove operation does not apply/);
  expectCode(() => applyJsonPatch({ l: [1] }, [{ op: 'add', path: '/l/5', value: 1 }]), 'Invalid');
  expectCode(() => applyJsonPatch({ l: [1] }, [{ op: 'add', path: '/l/01', value: 1 }]), 'Invalid');
  expectCode(() => applyJsonPatch({}, { op: 'add' }), 'BadRequest');
  expectCode(() => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]), 'BadRequest', /Unexpected kind: frobnicate/);
  expectCode(() => applyJsonPatch({}, [{ op: 'add', path: '/a' }]), 'BadRequest', /missing "value"/);
  expectCode(() => applyJsonPatch({}, ['x']), 'BadRequest');
});

test('a failing op leaves nothing half-applied in the input', () => {
  const doc = { a: 1 };
  expectCode(() => applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 9 }]), 'Invalid');
  assert.deepEqual(doc, { a: 1 });
});
