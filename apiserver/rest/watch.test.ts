import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedEventLine } from './watch.js';

test('watch event lines are shared per type+object+resourceVersion and stay exact', () => {
  const ev = (type: 'ADDED' | 'MODIFIED', rv: string, data: string) => ({ type, object: { kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: rv }, data: { k: data } } });
  const first = sharedEventLine(ev('MODIFIED', '5', 'x'));
  assert.equal(first, JSON.stringify(ev('MODIFIED', '5', 'x')) + '\n');
  // a second watcher's copy of the same event gets the very same line
  assert.equal(sharedEventLine(structuredClone(ev('MODIFIED', '5', 'x'))), first);
  assert.equal(JSON.parse(sharedEventLine(ev('MODIFIED', '6', 'y'))).object.data.k, 'y');
  assert.equal(JSON.parse(sharedEventLine(ev('ADDED', '5', 'x'))).type, 'ADDED');
  const noRv = { type: 'ADDED' as const, object: { metadata: { name: 'b' }, v: 1 } };
  assert.equal(sharedEventLine(noRv), JSON.stringify(noRv) + '\n');
});
