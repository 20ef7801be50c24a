import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceDef } from '../registry/types.js';
import { toTable } from './table.js';

const cm: ResourceDef = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', listKind: 'ConfigMapList', singular: 'configmap', namespaced: true, verbs: ['get'] };
const deploy: ResourceDef = {
  ...cm, group: 'apps', resource: 'deployments', kind: 'Deployment',
  tableColumns: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }, { name: 'Ready', type: 'string', priority: 0 }, { name: 'Images', type: 'string', priority: 1 }],
  tableRow: (o) => [o.metadata?.name, '1/1', 'nginx'],
};
const now = new Date('2026-11-22T10:00:00Z');
const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd', creationTimestamp: '2026-11-22T09:55:00Z', resourceVersion: '7' }, data: { k: 'v' } };

test('a kind without printer columns gets Name + Age; rows carry PartialObjectMetadata by default', () => {
  const t = toTable(cm, [obj], { resourceVersion: '9' }, { include: 'Metadata', now });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual((t.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'Age']);
  const rows = t.rows as { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[];
  assert.deepEqual(rows[0].cells, ['a', '5m']);
  assert.equal(rows[0].object.kind, 'PartialObjectMetadata');
  assert.equal(rows[0].object.metadata.name, 'a');
  assert.equal('data' in rows[0].object, false);
});

test('kind columns and rows are used; includeObject=Object embeds the object; headers can be left out', () => {
  const t = toTable(deploy, [obj], {}, { include: 'Object', now, noHeaders: true });
  assert.equal(t.columnDefinitions, undefined);
  const rows = t.rows as { cells: unknown[]; object: unknown }[];
  assert.deepEqual(rows[0].cells, ['a', '1/1', 'nginx']);
  assert.deepEqual(rows[0].object, obj);
  const none = toTable(deploy, [obj], {}, { include: 'None', now });
  assert.equal((none.rows as object[])[0].hasOwnProperty('object'), false);
});

test('a printer that throws yields a row of placeholders, not a failure', () => {
  const broken: ResourceDef = { ...deploy, tableRow: () => { throw new Error('boom'); } };
  const t = toTable(broken, [obj], {}, { include: 'None', now });
  assert.deepEqual((t.rows as { cells: unknown[] }[])[0].cells, ['a', '<error>', '<error>']);
});
