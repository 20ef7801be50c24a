import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../index.js';
import { isApiError } from '../../../lib/errors.js';
import { strictDecodingMessage, unknownFields } from './shape.js';
import type { KObject } from '../../../lib/api/object.js';

const defs = builtinResources();
const def = (group: string, resource: string) => defs.find((d) => d.group === group && d.resource === resource)!;

test('wrong JSON types are Kubernetes decode errors (400), not crashes', () => {
  const deploy: KObject = { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: '3', selector: { matchLabels: { app: 'web' } } } };
  assert.throws(() => def('apps', 'deployments').defaults!(deploy), (err: unknown) => {
    assert.ok(isApiError(err, 'BadRequest'));
    assert.equal((err as Error).message, 'Deployment in version "v1" cannot be handled as a Deployment: spec.replicas: expected an integer, got "3"');
    return true;
  });
  const pod: KObject = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: 5 } };
  assert.throws(() => def('', 'pods').validateCreate!(pod), /Pod in version "v1" cannot be handled as a Pod: spec\.containers: expected an array, got 5/);
});

test('no step crashes on malformed bodies: every failure is an ApiError', () => {
  const shapes: unknown[] = [5, 'x', [1], { containers: 5 }, { containers: [null, 5] }, { containers: [{ name: 'a', image: 'b', ports: 'x', env: 5 }] },
    { template: 5 }, { template: { spec: 5 } }, { selector: 5 }, { ports: [null] }, { rules: 5 }, { hard: 5 }, { jobTemplate: 5 }, { taints: [null] }, { finalizers: 5 }];
  const tops = ['spec', 'data', 'subsets', 'rules', 'subjects', 'roleRef', 'template', 'involvedObject', 'regarding', 'secrets'];
  for (const d of defs) {
    for (const s of shapes) {
      for (const top of tops) {
        const obj: KObject = { metadata: { name: 'a', namespace: 'default' }, [top]: structuredClone(s) };
        for (const run of [() => d.defaults?.(obj), () => d.prepareForCreate?.(obj), () => d.validateCreate?.(obj), () => d.validateUpdate?.(obj, structuredClone(obj))]) {
          try { run(); } catch (err) { assert.ok(isApiError(err), `${d.resource}.${d.group} ${top}=${JSON.stringify(s)}: ${(err as Error).message}`); }
        }
      }
    }
  }
});

test('unknown fields are listed for strict field validation', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containres: [], containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Always', bogus: 1 }] } };
  assert.deepEqual(unknownFields('Pod', 'v1', pod), ['spec.containres', 'spec.containers[0].bogus']);
  assert.equal(strictDecodingMessage(['spec.containres']), 'strict decoding error: unknown field "spec.containres"');
  assert.deepEqual(unknownFields('Pod', 'v1', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } }), []);
  assert.deepEqual(unknownFields('Event', 'events.k8s.io/v1', { regarding: {} }), [], 'only the core Event shape is typed');
});
