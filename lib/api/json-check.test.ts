import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePlain, messageType } from './codec.js';
import { duplicateFields } from './duplicate-fields.js';
import { checkJson } from './json-check.js';

const pod = () => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' }, annotations: { a: 'b' } },
  spec: {
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, nodeSelector: { disk: 'ssd' },
    containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: 64 } }, env: [{ name: 'A', value: '1' }] }],
    volumes: [{ name: 'v', emptyDir: {} }],
  },
  status: { phase: 'Running', startTime: '2026-11-22T00:00:00Z' },
});

/** The outcome of both walkers: the same error message, or the same unknown paths. */
function outcome(fn: () => void): string {
  try { fn(); return 'ok'; } catch (err) { return `error: ${(err as Error).message}`; }
}

test('checkJson reports exactly the type errors the protobuf encoder does (random mutations of a pod)', () => {
  const type = messageType('Pod');
  const values: unknown[] = [1, 1.5, -1, 2 ** 40, 'x', true, null, [], [1], {}, { a: 1 }, ['s'], [{}]];
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let i = 0; i < 500; i++) {
    const obj = pod() as Record<string, any>;
    // walk to a random object inside the pod and replace one of its keys with a random value
    let cur: any = obj;
    for (let depth = rand(5); depth > 0; depth--) {
      const kids = Object.values(cur).filter((v) => v && typeof v === 'object');
      if (!kids.length) break;
      cur = kids[rand(kids.length)];
    }
    const keys = Object.keys(cur);
    const key = rand(4) === 0 ? 'bogusField' : keys[rand(keys.length)] ?? 'x';
    cur[key] = values[rand(values.length)];
    const unknownA: string[] = [];
    const unknownB: string[] = [];
    const a = outcome(() => checkJson(type, obj, '', unknownA));
    const b = outcome(() => encodePlain(type, obj, '', unknownB));
    assert.equal(a, b, `mutation ${i}: ${JSON.stringify(obj)}`);
    if (a === 'ok') assert.deepEqual(unknownA, unknownB);
  }
});

test('checkJson: unknown fields with their paths; Kubernetes fields the proto lacks are known', () => {
  const type = messageType('Deployment');
  const unknown: string[] = [];
  checkJson(type, {
    spec: {
      replica: 2,
      template: { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', image: 'x', imagePullPolicyy: 'Always', securityContext: { seLinuxOptions: {} } }] } },
    },
    metadata: { labelz: {} },
  }, '', unknown);
  assert.deepEqual(unknown, ['spec.replica', 'spec.template.spec.containers[0].imagePullPolicyy', 'metadata.labelz']);
  assert.throws(() => checkJson(type, { spec: { replicas: 'two' } }), /spec.replicas: expected an integer, got "two"/);
});

test('duplicateFields finds keys given twice, with paths through objects and arrays, and ignores lookalikes in strings', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":2}'), []);
  assert.deepEqual(duplicateFields('{"spec":{"replicas":1,"x":{"replicas":1},"replicas":2}}'), ['spec.replicas']);
  assert.deepEqual(duplicateFields('{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}'), ['spec.containers[1].name']);
  assert.deepEqual(duplicateFields('{"a":"{\\"a\\":1,\\"a\\":2}","b":["a","a"],"c":{"\\u0061":1,"a":2}}'), ['c.a']);
  assert.deepEqual(duplicateFields('{"a":[[{"k":1}],[{"k":1,"k":2}]],"a":0}'), ['a[1][0].k', 'a']);
  assert.deepEqual(duplicateFields('{ "m" : { "x" : 1 , "x" : 2 } }'), ['m.x']);
});
