import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../lib/api/types.js';
import { podReferences } from './referenced-objects.js';

test('podReferences names every ConfigMap, Secret and claim of volumes (also projected), env and envFrom', () => {
  const pod = {
    metadata: { namespace: 'shop', name: 'p' },
    spec: {
      volumes: [
        { name: 'a', configMap: { name: 'cm-vol' } }, { name: 'b', secret: { secretName: 'sec-vol' } }, { name: 'c', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'd', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'sec-proj' } }, { serviceAccountToken: { path: 'token' } }] } },
        { name: 'e', emptyDir: {} },
      ],
      initContainers: [{ name: 'i', image: 'busybox', envFrom: [{ secretRef: { name: 'sec-init' } }] }],
      containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } }, { name: 'Y', value: 'plain' }], envFrom: [{ configMapRef: { name: 'cm-from' } }] }],
    },
  } as unknown as Pod;
  assert.deepEqual(podReferences(pod).map((r) => `${r.kind}/${r.namespace}/${r.name}`), [
    'configmaps/shop/cm-vol', 'secrets/shop/sec-vol', 'persistentvolumeclaims/shop/data', 'configmaps/shop/kube-root-ca.crt', 'secrets/shop/sec-proj',
    'secrets/shop/sec-init', 'configmaps/shop/cm-env', 'configmaps/shop/cm-from',
  ]);
  assert.deepEqual(podReferences({ metadata: { name: 'bare' }, spec: { containers: [] } } as unknown as Pod), []);
});
