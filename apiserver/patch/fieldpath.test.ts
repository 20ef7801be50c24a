import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldSetOf, fromFieldsV1, joinPath, pathString, removeAt, toFieldsV1, valueAt } from './fieldpath.js';
import { schemaForKind } from './strategies.js';
import { defaultFieldManager } from './managed-fields.js';
import { ApiError } from '../../lib/errors.js';

const pod = schemaForKind('Pod');

test('FieldsV1 round trip keeps members, "." only where a member has children', () => {
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' }, finalizers: ['x'] },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], volumes: [{ name: 'v', emptyDir: {} }] } };
  const set = fieldSetOf(obj, pod);
  const encoded = toFieldsV1(set);
  assert.deepEqual(encoded, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} }, 'f:finalizers': { 'v:"x"': {} } },
    'f:spec': {
      'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } },
      'f:volumes': { 'k:{"name":"v"}': { '.': {}, 'f:name': {}, 'f:emptyDir': {} } },
    },
  });
  assert.deepEqual(fromFieldsV1(encoded), set);
  assert.throws(() => fromFieldsV1({ 'x:y': {} }), ApiError);
});

test('pathString renders Kubernetes field paths', () => {
  assert.equal(pathString(joinPath(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'])), '.spec.containers[name="web"].image');
  assert.equal(pathString(joinPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'])), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString(joinPath(['f:metadata', 'f:finalizers', 'v:"a"'])), '.metadata.finalizers[="a"]');
  assert.equal(pathString(joinPath(['f:metadata', 'f:annotations', 'f:a.b/c'])), '.metadata.annotations.a.b/c');
});

test('valueAt and removeAt follow keyed items (with key defaults)', () => {
  const obj = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] } };
  const port80 = joinPath(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}']);
  assert.deepEqual(valueAt(obj, port80, pod), { containerPort: 80 });
  removeAt(obj, port80, pod);
  assert.deepEqual(obj.spec.containers[0].ports, [{ containerPort: 53, protocol: 'UDP' }]);
  removeAt(obj, joinPath(['f:spec', 'f:nothing', 'f:here']), pod); // missing: no-op
});

test('strict field sets reject items without keys and duplicate keys', () => {
  const bad = (spec: unknown, re: RegExp) => assert.throws(() => fieldSetOf({ spec }, pod, true), (e: unknown) => e instanceof ApiError && e.code === 'BadRequest' && re.test(e.message));
  bad({ containers: [{ image: 'x' }] }, /\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/);
  bad({ containers: [{ name: 'a' }, { name: 'a' }] }, /duplicate entries for key \[name="a"\]/);
  assert.doesNotThrow(() => fieldSetOf({ spec: { containers: [{ image: 'x' }] } }, pod), 'lenient for stored objects');
});

test('defaultFieldManager takes the User-Agent product', () => {
  assert.equal(defaultFieldManager('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(defaultFieldManager(undefined), 'unknown');
});
