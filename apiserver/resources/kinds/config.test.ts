import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import { base64ErrorAt } from './config.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (resource: string) => defs.find((d) => d.group === '' && d.resource === resource)!;
const now = new Date('2026-11-22T10:00:00Z');
const meta = { name: 'cfg', namespace: 'default', creationTimestamp: '2026-11-22T09:00:00Z' };
const errs = (r: string, o: KObject) => def(r).validateCreate!(o).map((e) => `${e.field}|${e.type}|${e.message}`);

test('configmap keys and table', () => {
  assert.deepEqual(errs('configmaps', { metadata: meta, data: { 'app.properties': 'x', KEY_1: 'y' }, binaryData: { 'logo.png': 'AAAA' } }), []);
  const bad = errs('configmaps', { metadata: meta, data: { 'bad key': 'x', '..': 'y' } });
  assert.ok(bad.some((e) => e.startsWith("data[bad key]|FieldValueInvalid|a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")), bad.join('\n'));
  assert.ok(bad.includes("data[..]|FieldValueInvalid|must not be '..'"));
  assert.deepEqual(errs('configmaps', { metadata: meta, data: { a: 'x' }, binaryData: { a: 'AAAA' } }), ['binaryData[a]|FieldValueInvalid|duplicate of key present in data']);
  assert.deepEqual(def('configmaps').tableRow!({ metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), ['cfg', 3, '60m']);
});

test('immutable configmaps and secrets reject data changes', () => {
  const old: KObject = { metadata: meta, data: { a: '1' }, immutable: true };
  const changed = { ...old, data: { a: '2' } };
  assert.deepEqual(def('configmaps').validateUpdate!(changed, old).map((e) => `${e.field}|${e.type}|${e.message}`), ['data|FieldValueForbidden|field is immutable when `immutable` is set']);
  assert.deepEqual(def('configmaps').validateUpdate!(structuredClone(old), old), []);
});

test('secret defaults: type Opaque, stringData folded into data', () => {
  const s: KObject = { metadata: meta, data: { a: 'eA==' }, stringData: { password: 's3cret', a: 'y' } };
  def('secrets').defaults!(s);
  assert.equal(s.type, 'Opaque');
  assert.equal(s.stringData, undefined);
  assert.deepEqual(s.data, { a: 'eQ==', password: Buffer.from('s3cret').toString('base64') });
});

test('secret validation: base64, typed required keys, type immutable', () => {
  assert.deepEqual(errs('secrets', { metadata: meta, type: 'Opaque', data: { ok: 'aGVsbG8=' } }), []);
  assert.deepEqual(errs('secrets', { metadata: meta, type: 'Opaque', data: { bad: 'not base64!' } }), ['data[bad]|FieldValueInvalid|illegal base64 data at input byte 3']);
  assert.deepEqual(errs('secrets', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==' } }), ['data[tls.key]|FieldValueRequired|']);
  assert.deepEqual(errs('secrets', { metadata: meta, type: 'kubernetes.io/service-account-token' }), ['metadata.annotations[kubernetes.io/service-account.name]|FieldValueRequired|']);
  const old: KObject = { metadata: meta, type: 'Opaque', data: {} };
  assert.deepEqual(def('secrets').validateUpdate!({ ...old, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==', 'tls.key': 'AA==' } }, old).map((e) => `${e.field}|${e.message}`), ['type|field is immutable']);
  assert.deepEqual(def('secrets').tableRow!({ metadata: meta, type: 'Opaque', data: { a: 'AA==', b: 'AA==' } }, now), ['cfg', 'Opaque', 2, '60m']);
  assert.deepEqual(def('secrets').fieldValues!({ type: 'kubernetes.io/tls' }), { type: 'kubernetes.io/tls' });
});

test('base64 checker matches Go positions', () => {
  assert.equal(base64ErrorAt('aGVsbG8='), -1);
  assert.equal(base64ErrorAt('aGVs\nbG8='), -1, 'newlines are ignored');
  assert.equal(base64ErrorAt(''), -1);
  assert.equal(base64ErrorAt('abc'), 0, 'truncated input fails at its last quantum');
  assert.equal(base64ErrorAt('ab$d'), 2);
  assert.equal(base64ErrorAt('a==='), 1);
});

test('service accounts and pod templates', () => {
  assert.deepEqual(def('serviceaccounts').tableRow!({ metadata: { ...meta, name: 'default' }, secrets: [{ name: 'tok' }] }, now), ['default', 1, '60m']);
  const pt: KObject = { metadata: meta, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } };
  def('podtemplates').defaults!(pt);
  assert.equal((pt.template as { spec: { restartPolicy: string } }).spec.restartPolicy, 'Always');
  assert.deepEqual(def('podtemplates').validateCreate!(pt), []);
  assert.deepEqual(def('podtemplates').tableRow!(pt, now), ['cfg', 'web', 'nginx', 'app=web']);
  assert.deepEqual(def('podtemplates').validateCreate!({ metadata: meta, template: { spec: { containers: [] } } }).map((e) => e.field), ['template.spec.containers']);
});
