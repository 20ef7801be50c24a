import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicPatch } from './strategic.js';
import { schemaForKind } from './strategies.js';
import { ApiError } from '../../lib/errors.js';

const deploymentSchema = schemaForKind('Deployment');
const podSchema = schemaForKind('Pod');

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.24', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 'busybox', command: ['sleep', '3600'] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k1', operator: 'Exists' }],
        },
      },
    },
  };
}

const containers = (d: any) => d.spec.template.spec.containers;

test('kubectl set image: containers merge by name, $setElementOrder keeps order', () => {
  const d = deployment();
  const out = applyStrategicPatch(d, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.25', name: 'nginx' }] } } } }, deploymentSchema);
  assert.equal(containers(out)[0].image, 'nginx:1.25');
  assert.deepEqual(containers(out)[0].ports, [{ containerPort: 80, protocol: 'TCP' }], 'other container fields kept');
  assert.equal(containers(out)[1].name, 'sidecar');
  assert.equal(containers(d)[0].image, 'nginx:1.24', 'input untouched');
});

test('kubectl rollout restart: annotation added to the pod template', () => {
  const out = applyStrategicPatch(deployment(), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T10:00:00Z' } } } } }, deploymentSchema) as any;
  assert.deepEqual(out.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T10:00:00Z' } });
  assert.equal(containers(out).length, 2);
});

test('kubectl patch default (strategic) adds a container by name; unknown-path lists replace', () => {
  const out = applyStrategicPatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'extra', image: 'busybox' }], tolerations: [{ key: 'k2', operator: 'Exists' }] } } } }, deploymentSchema) as any;
  assert.deepEqual(containers(out).map((c: any) => c.name), ['nginx', 'sidecar', 'extra']);
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'k2', operator: 'Exists' }], 'tolerations are atomic in Kubernetes');
});

test('apply three-way patch: $patch delete on a container and an env var, $setElementOrder', () => {
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
    spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'nginx' }],
      containers: [
        { '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'nginx' },
        { $patch: 'delete', name: 'sidecar' },
      ],
    } } },
  };
  const out = applyStrategicPatch(deployment(), patch, deploymentSchema) as any;
  assert.deepEqual(containers(out).map((c: any) => c.name), ['nginx']);
  assert.deepEqual(containers(out)[0].env, [{ name: 'A', value: '1' }]);
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{}\n');
});

test('$setElementOrder reorders and new items take their place', () => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'new' }, { name: 'nginx' }], containers: [{ name: 'new', image: 'x' }] } } } };
  const out = applyStrategicPatch(deployment(), patch, deploymentSchema) as any;
  assert.deepEqual(containers(out).map((c: any) => c.name), ['sidecar', 'new', 'nginx']);
});

test('$retainKeys: switching the deployment strategy to Recreate drops rollingUpdate', () => {
  const out = applyStrategicPatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, deploymentSchema) as any;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  assert.throws(() => applyStrategicPatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }, deploymentSchema),
    (e: unknown) => e instanceof ApiError && e.code === 'BadRequest');
});

test('$retainKeys on a volume item: emptyDir → configMap', () => {
  const patch = { spec: { template: { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], name: 'data', configMap: { name: 'cm' } }] } } } };
  const out = applyStrategicPatch(deployment(), patch, deploymentSchema) as any;
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cm' } }]);
});

test('$patch: replace on a map and on a list', () => {
  const d = deployment();
  const out = applyStrategicPatch(d, { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'only', image: 'x' }] } } } }, deploymentSchema) as any;
  assert.deepEqual(out.spec.template, { spec: { containers: [{ name: 'only', image: 'x' }] } });
  const out2 = applyStrategicPatch(d, { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'solo', image: 'y' }] } } } }, deploymentSchema) as any;
  assert.deepEqual(containers(out2), [{ name: 'solo', image: 'y' }]);
});

test('$patch: delete on a map removes it', () => {
  const out = applyStrategicPatch(deployment(), { spec: { strategy: { $patch: 'delete' } } }, deploymentSchema) as any;
  assert.equal('strategy' in out.spec, false);
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
  const out = applyStrategicPatch(deployment(), { metadata: { finalizers: ['b', 'c'] } }, deploymentSchema) as any;
  assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'c']);
  const out2 = applyStrategicPatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, deploymentSchema) as any;
  assert.deepEqual(out2.metadata.finalizers, ['b']);
});

test('null deletes map keys (labels), nested new maps lose their nulls', () => {
  const out = applyStrategicPatch(deployment(), { metadata: { labels: { app: null, tier: 'fe' }, annotations: { a: 'x', b: null } } }, deploymentSchema) as any;
  assert.deepEqual(out.metadata.labels, { tier: 'fe' });
  assert.deepEqual(out.metadata.annotations, { a: 'x' });
});

test('container ports merge by containerPort, env by name, volumeMounts by mountPath', () => {
  const pod = { kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], env: [{ name: 'X', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/data' }] }] } };
  const out = applyStrategicPatch(pod, { spec: { containers: [{ name: 'c', ports: [{ containerPort: 81 }, { containerPort: 80, name: 'http' }], env: [{ name: 'X', value: '2' }], volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } }, podSchema) as any;
  const c = out.spec.containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 80, name: 'http' }, { containerPort: 81 }]);
  assert.deepEqual(c.env, [{ name: 'X', value: '2' }]);
  assert.deepEqual(c.volumeMounts, [{ name: 'v', mountPath: '/data', readOnly: true }]);
});

test('status conditions merge by type (status patches from controllers)', () => {
  const pod = { kind: 'Pod', status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
  const out = applyStrategicPatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, podSchema) as any;
  assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
});

test('service ports merge by port; ownerReferences by uid', () => {
  const svc = { kind: 'Service', metadata: { ownerReferences: [{ uid: 'u1', name: 'a' }] }, spec: { ports: [{ port: 80, targetPort: 8080 }] } };
  const out = applyStrategicPatch(svc, { metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }] }, spec: { ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] } }, schemaForKind('Service')) as any;
  assert.deepEqual(out.spec.ports, [{ port: 80, targetPort: 8080, nodePort: 30080 }, { port: 443 }]);
  assert.deepEqual(out.metadata.ownerReferences.map((o: any) => o.uid), ['u1', 'u2']);
});

test('CronJob: containers under jobTemplate merge by name', () => {
  const cj = { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } } } };
  const out = applyStrategicPatch(cj, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'z' }] } } } } } }, schemaForKind('CronJob')) as any;
  assert.deepEqual(out.spec.jobTemplate.spec.template.spec.containers, [{ name: 'a', image: 'x' }, { name: 'b', image: 'z' }]);
});

test('errors: missing merge key, bad directive, non-object patch are 400 BadRequest', () => {
  const bad = (p: unknown, re: RegExp) => assert.throws(() => applyStrategicPatch(deployment(), p, deploymentSchema),
    (e: unknown) => e instanceof ApiError && e.code === 'BadRequest' && re.test(e.message));
  bad({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, /does not contain declared merge key: name/);
  bad({ spec: { $patch: 'explode' } }, /unknown patch type/);
  bad([1, 2], /must be a JSON object/);
  bad({ $patch: 'delete' }, /top level/);
  bad({ spec: { template: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } } } }, /merging lists cannot yet be specified/);
  bad({ spec: { template: { spec: { containers: [{ name: 'a', $patch: 'explode' }] } } } }, /unknown patch type/);
  bad({ metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, /must be a list/);
});

test('patchStrategy replace: a PodDisruptionBudget selector is replaced, not merged', () => {
  const pdb = { kind: 'PodDisruptionBudget', spec: { minAvailable: 1, selector: { matchLabels: { app: 'a', tier: 'x' } } } };
  const out = applyStrategicPatch(pdb, { spec: { selector: { matchLabels: { app: 'b' } } } }, schemaForKind('PodDisruptionBudget')) as any;
  assert.deepEqual(out.spec, { minAvailable: 1, selector: { matchLabels: { app: 'b' } } });
});

test('ServiceAccount secrets merge by name', () => {
  const sa = { kind: 'ServiceAccount', secrets: [{ name: 'a' }] };
  const out = applyStrategicPatch(sa, { secrets: [{ name: 'b' }] }, schemaForKind('ServiceAccount')) as any;
  assert.deepEqual(out.secrets, [{ name: 'a' }, { name: 'b' }]);
});

test('order-only $setElementOrder reorders env (kubectl apply after reordering)', () => {
  const pod = { kind: 'Pod', spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } };
  const out = applyStrategicPatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }] }] } }, podSchema) as any;
  assert.deepEqual(out.spec.containers[0].env.map((e: any) => e.name), ['B', 'A']);
});
