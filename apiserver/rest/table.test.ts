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

test('kubectl get columns (and -o wide) of every kind issue 2 lists, as Kubernetes 1.32 prints them; rows fill every column', async () => {
  const { builtinResources } = await import('../resources/index.js');
  const { columnsOf } = await import('./table.js');
  const expected: Record<string, [string, string]> = {
    pods: ['NAME READY STATUS RESTARTS AGE', 'IP NODE NOMINATED NODE READINESS GATES'],
    nodes: ['NAME STATUS ROLES AGE VERSION', 'INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME'],
    services: ['NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', 'SELECTOR'],
    endpoints: ['NAME ENDPOINTS AGE', ''],
    deployments: ['NAME READY UP-TO-DATE AVAILABLE AGE', 'CONTAINERS IMAGES SELECTOR'],
    replicasets: ['NAME DESIRED CURRENT READY AGE', 'CONTAINERS IMAGES SELECTOR'],
    statefulsets: ['NAME READY AGE', 'CONTAINERS IMAGES'],
    daemonsets: ['NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE', 'CONTAINERS IMAGES SELECTOR'],
    jobs: ['NAME STATUS COMPLETIONS DURATION AGE', 'CONTAINERS IMAGES SELECTOR'],
    cronjobs: ['NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', 'CONTAINERS IMAGES SELECTOR'],
    events: ['LAST SEEN TYPE REASON OBJECT MESSAGE', 'SUBOBJECT SOURCE FIRST SEEN COUNT NAME'],
    configmaps: ['NAME DATA AGE', ''],
    secrets: ['NAME TYPE DATA AGE', ''],
    namespaces: ['NAME STATUS AGE', ''],
    persistentvolumes: ['NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE', 'VOLUMEMODE'],
    persistentvolumeclaims: ['NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE', 'VOLUMEMODE'],
  };
  const defs = builtinResources();
  for (const [resource, [standard, wide]] of Object.entries(expected)) {
    const def = defs.find((d) => d.resource === resource && (d.group === '' || d.group === 'apps' || d.group === 'batch'));
    assert.ok(def, resource);
    const cols = columnsOf(def);
    const names = (priority: number) => cols.filter((c) => (c.priority ?? 0) === priority).map((c) => c.name.toUpperCase()).join(' ');
    assert.equal(names(0), standard, `${resource} columns`);
    // -o wide shows every column in definition order (events: SUBOBJECT and SOURCE sit before MESSAGE).
    assert.equal(names(1), wide, `${resource} -o wide columns`);
    const t = toTable(def, [{ apiVersion: 'v1', kind: def.kind, metadata: { name: 'x', namespace: 'd', creationTimestamp: '2026-11-22T09:55:00Z' } }], {}, { include: 'None', now });
    assert.equal((t.rows as { cells: unknown[] }[])[0].cells.length, cols.length, `${resource}: one cell per column`);
  }
});
