import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Indexer, keyOf, splitKey } from './indexer.js';
import { Lister } from './lister.js';
import type { KObject } from '../api/object.js';

const pod = (ns: string, name: string, node?: string, owner?: string, labels?: Record<string, string>): KObject => ({
  kind: 'Pod', metadata: { namespace: ns, name, labels, ownerReferences: owner ? [{ apiVersion: 'v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] : undefined }, spec: node ? { nodeName: node } : {},
});

test('keys are namespace/name or name', () => {
  assert.equal(keyOf(pod('ns', 'a')), 'ns/a');
  assert.equal(keyOf({ metadata: { name: 'node-1' } }), 'node-1');
  assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitKey('node-1'), { namespace: '', name: 'node-1' });
});

test('indexes follow updates and removals; listers filter by namespace and labels', () => {
  const idx = new Indexer();
  idx.set(pod('a', 'p1', 'n1', 'rs1', { app: 'web' }));
  idx.set(pod('a', 'p2', undefined, 'rs1', { app: 'db' }));
  idx.set(pod('b', 'p3', 'n1'));
  assert.deepEqual(idx.byIndex('nodeName', 'n1').map(keyOf).sort(), ['a/p1', 'b/p3']);
  idx.set(pod('a', 'p1', 'n2', 'rs1', { app: 'web' }));
  assert.deepEqual(idx.byIndex('nodeName', 'n1').map(keyOf), ['b/p3']);
  assert.deepEqual(idx.byIndex('nodeName', 'n2').map(keyOf), ['a/p1']);
  assert.equal(idx.byIndex('ownerUID', 'rs1').length, 2);
  idx.remove('a/p2');
  assert.deepEqual(idx.byIndex('ownerUID', 'rs1').map(keyOf), ['a/p1']);
  idx.addIndexer('app', (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []));
  assert.deepEqual(idx.byIndex('app', 'web').map(keyOf), ['a/p1']);
  assert.throws(() => idx.byIndex('missing', 'x'));
  const lister = new Lister(idx);
  assert.deepEqual(lister.list(undefined, 'b').map(keyOf), ['b/p3']);
  assert.deepEqual(lister.list('app in (web,db)').map(keyOf), ['a/p1']);
  assert.equal(lister.get('a', 'p1')?.metadata?.name, 'p1');
});
