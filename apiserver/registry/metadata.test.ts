import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../lib/api/object.js';
import { filterEvent } from '../storage/watch-filter.js';
import { planDelete, finalizersFor } from './delete.js';
import { applyUpdateMeta, fillCreateMeta, rfc3339, specChanged } from './metadata.js';
import { generateName, validateObjectName } from './names.js';
import type { ResourceDef } from './types.js';

const def = (resource: string, extra: Partial<ResourceDef> = {}): ResourceDef => ({ group: '', version: 'v1', resource, kind: 'K', listKind: 'KList', singular: 'k', namespaced: true, verbs: [], ...extra });

test('rfc3339 has no fractional seconds', () => {
  assert.equal(rfc3339(new Date('2026-11-22T10:00:00.123Z')), '2026-11-22T10:00:00Z');
});

test('fillCreateMeta sets system fields and drops client-set ones', () => {
  const o: KObject = { metadata: { name: 'a', resourceVersion: '5', deletionTimestamp: 'x', generation: 9 }, spec: {} };
  fillCreateMeta(o, def('widgets', { hasSpec: true }));
  assert.equal(o.metadata!.generation, 1);
  assert.equal(o.metadata!.resourceVersion, undefined);
  assert.equal(o.metadata!.deletionTimestamp, undefined);
  assert.equal(o.apiVersion, 'v1');
  const c: KObject = { metadata: { name: 'b', generation: 3 } };
  fillCreateMeta(c, def('configmaps'));
  assert.equal(c.metadata!.generation, undefined);
});

test('generation moves only with the desired state, whatever the key order', () => {
  const d = def('widgets', { hasSpec: true });
  const old: KObject = { metadata: { name: 'a', uid: 'u', generation: 4, creationTimestamp: 't' }, spec: { a: 1, b: { c: 2, d: 3 } }, status: { x: 1 } };
  const same: KObject = { metadata: { name: 'a', labels: { l: 'v' } }, spec: { b: { d: 3, c: 2 }, a: 1 }, status: { x: 2 } };
  assert.equal(specChanged(same, old), false);
  assert.deepEqual(applyUpdateMeta(same, old, d), []);
  assert.equal(same.metadata!.generation, 4);
  assert.equal(same.metadata!.uid, 'u');
  const changed: KObject = { metadata: { name: 'a' }, spec: { a: 2, b: { c: 2, d: 3 } } };
  applyUpdateMeta(changed, old, d);
  assert.equal(changed.metadata!.generation, 5);
  const other: KObject = { metadata: { name: 'a', uid: 'other' }, spec: old.spec };
  assert.equal(applyUpdateMeta(other, old, d)[0].field, 'metadata.uid');
});

test('generateName and name validation', () => {
  assert.match(generateName('x-'), /^x-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generateName('a'.repeat(80)).length, 63);
  assert.deepEqual(validateObjectName({ metadata: { name: 'ok.name' } }), []);
  assert.equal(validateObjectName({ metadata: {} })[0].type, 'FieldValueRequired');
  assert.equal(validateObjectName({ metadata: { name: 'Not_OK' } })[0].field, 'metadata.name');
});

test('planDelete: immediate, graceful, finalized', () => {
  const pods = def('pods');
  assert.equal(planDelete(pods, { metadata: { name: 'p' }, spec: {} }, {}), 'delete', 'unbound pod goes at once');
  const bound = planDelete(pods, { metadata: { name: 'p' }, spec: { nodeName: 'n', terminationGracePeriodSeconds: 10 } }, {}, new Date('2026-01-01T00:00:00Z'));
  assert.notEqual(bound, 'delete');
  assert.equal((bound as KObject).metadata!.deletionGracePeriodSeconds, 10);
  assert.equal((bound as KObject).metadata!.deletionTimestamp, '2026-01-01T00:00:10Z');
  assert.equal(planDelete(pods, { metadata: { name: 'p' }, spec: { nodeName: 'n' }, status: { phase: 'Succeeded' } }, {}), 'delete');
  const fin = planDelete(def('configmaps'), { metadata: { name: 'c', finalizers: ['f'] } }, {});
  assert.equal((fin as KObject).metadata!.deletionGracePeriodSeconds, 0);
  assert.deepEqual(finalizersFor(['a', 'orphan'], 'Foreground'), ['a', 'foregroundDeletion']);
  assert.deepEqual(finalizersFor(['orphan'], 'Background'), []);
});

test('selector watch events: enter → ADDED, leave → DELETED with the old state', () => {
  const match = (o: KObject) => o.metadata?.labels?.app === 'web';
  const web: KObject = { metadata: { name: 'a', labels: { app: 'web' }, resourceVersion: '5' } };
  const db: KObject = { metadata: { name: 'a', labels: { app: 'db' }, resourceVersion: '6' } };
  assert.equal(filterEvent({ type: 'MODIFIED', key: 'k', obj: web, prev: db, rev: 5 }, match)?.type, 'ADDED');
  const left = filterEvent({ type: 'MODIFIED', key: 'k', obj: db, prev: web, rev: 6 }, match)!;
  assert.equal(left.type, 'DELETED');
  assert.equal(left.object.metadata!.labels!.app, 'web');
  assert.equal(left.object.metadata!.resourceVersion, '6');
  assert.equal(filterEvent({ type: 'MODIFIED', key: 'k', obj: db, prev: db, rev: 6 }, match), undefined);
  assert.equal(filterEvent({ type: 'DELETED', key: 'k', obj: web, rev: 7 }, match)?.type, 'DELETED');
});
