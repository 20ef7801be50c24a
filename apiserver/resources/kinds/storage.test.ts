import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import { PVC_UPDATE_FORBIDDEN } from './storage.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;
const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'data', creationTimestamp: '2026-11-22T09:58:00Z' };

test('persistent volume defaults, validation, initial phase, table', () => {
  const d = def('', 'persistentvolumes');
  const pv: KObject = { metadata: { ...meta, name: 'pv-1' }, spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: '/tmp/pv1' } } };
  d.defaults!(pv);
  assert.equal((pv.spec as { persistentVolumeReclaimPolicy: string }).persistentVolumeReclaimPolicy, 'Retain');
  assert.equal((pv.spec as { volumeMode: string }).volumeMode, 'Filesystem');
  assert.deepEqual(d.validateCreate!(pv), []);
  d.prepareForCreate!(pv);
  assert.deepEqual(pv.status, { phase: 'Pending' });
  assert.deepEqual(d.tableRow!({ ...pv, status: { phase: 'Bound' }, spec: { ...(pv.spec as object), claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'manual' } }, now),
    ['pv-1', '1Gi', 'RWO,ROX', 'Retain', 'Bound', 'default/data', 'manual', '<unset>', '', '2m', 'Filesystem']);
  const bad = d.validateCreate!({ metadata: { name: 'pv-2' }, spec: { persistentVolumeReclaimPolicy: 'Keep' } }).map((e) => `${e.field}|${e.message}`);
  assert.deepEqual(bad, ['spec.accessModes|at least 1 access mode is required', 'spec.capacity|', 'spec|must specify a volume type', 'spec.persistentVolumeReclaimPolicy|supported values: "Delete", "Recycle", "Retain"']);
});

test('claims: defaults, validation, growth only, table once bound', () => {
  const d = def('', 'persistentvolumeclaims');
  const pvc: KObject = { metadata: { ...meta, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  d.defaults!(pvc);
  assert.equal((pvc.spec as { volumeMode: string }).volumeMode, 'Filesystem');
  assert.deepEqual(d.validateCreate!(pvc), []);
  assert.deepEqual(d.validateCreate!({ metadata: { ...meta, namespace: 'default' }, spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: '0' } } } }).map((e) => `${e.field}|${e.message}`),
    ['spec.accessModes|supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"', 'spec.resources[storage]|must be greater than zero']);
  const grown = structuredClone(pvc);
  (grown.spec as { resources: { requests: { storage: string } } }).resources.requests.storage = '2Gi';
  (grown.spec as { volumeName: string }).volumeName = 'pv-1';
  assert.deepEqual(d.validateUpdate!(grown, pvc), [], 'binding and growth are allowed');
  const shrunk = structuredClone(grown);
  (shrunk.spec as { resources: { requests: { storage: string } } }).resources.requests.storage = '1Gi';
  assert.deepEqual(d.validateUpdate!(shrunk, grown).map((e) => e.message), ['field can not be less than previous value']);
  const modes = structuredClone(pvc);
  (modes.spec as { accessModes: string[] }).accessModes = ['ReadWriteMany'];
  assert.deepEqual(d.validateUpdate!(modes, pvc).map((e) => `${e.field}|${e.type}|${e.message}`), [`spec|FieldValueForbidden|${PVC_UPDATE_FORBIDDEN}`]);
  assert.deepEqual(d.tableRow!({ ...pvc, status: { phase: 'Pending' } }, now), ['data', 'Pending', '', '', '', '', '<unset>', '2m', 'Filesystem']);
  assert.deepEqual(d.tableRow!({ ...grown, status: { phase: 'Bound', capacity: { storage: '2048Mi' }, accessModes: ['ReadWriteOnce'] } }, now).slice(1, 5), ['Bound', 'pv-1', '2Gi', 'RWO']);
});

test('storage classes: defaults, default-class marker, immutable provisioner', () => {
  const d = def('storage.k8s.io', 'storageclasses');
  const sc: KObject = { metadata: { ...meta, name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubesim.io/hostpath' };
  d.defaults!(sc);
  assert.deepEqual(d.validateCreate!(sc), []);
  assert.deepEqual(d.tableRow!(sc, now), ['standard (default)', 'kubesim.io/hostpath', 'Delete', 'Immediate', 'false', '2m']);
  assert.deepEqual(d.validateUpdate!({ ...sc, provisioner: 'other.io/x' }, sc).map((e) => e.field), ['provisioner']);
  assert.deepEqual(d.validateCreate!({ metadata: { name: 'x' } }).map((e) => e.field), ['provisioner']);
});
