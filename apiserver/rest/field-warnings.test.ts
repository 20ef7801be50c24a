import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownFields } from './field-warnings.js';

test('unknown fields of modelled kinds are listed; directives and unmodelled kinds are not', () => {
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labelz: {} }, spec: { replica: 2, template: { spec: { containers: [{ name: 'c', image: 'x', imagePullPolicyy: 'Always' }] } } } };
  assert.deepEqual(unknownFields('Deployment', dep).sort(), ['metadata.labelz', 'spec.replica', 'spec.template.spec.containers[0].imagePullPolicyy']);
  assert.deepEqual(unknownFields('Deployment', { spec: { template: { spec: { $setElementOrder: [], containers: [{ name: 'c', $patch: 'delete' }] } } } }), []);
  assert.deepEqual(unknownFields('NoSuchKind', { anything: 1 }), []);
  assert.deepEqual(unknownFields('ConfigMap', { data: 'not-a-map' }), [], 'type errors are left to validation');
});
