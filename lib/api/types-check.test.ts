import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from './object.js';
import type { Pod, Service, Deployment, Lease } from './types.js';

// Compile-time proof that generated kinds and KObject convert both ways; the runtime check keeps it a real test.
test('generated kinds are assignable to KObject and back', () => {
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } };
  const svc: Service = { spec: { ports: [{ port: 80, targetPort: 'http' }] } };
  const dep: Deployment = { spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } } };
  const lease: Lease = { spec: { renewTime: '2026-01-01T00:00:00.000000Z' } };
  const objs: KObject[] = [pod, svc, dep, lease];
  const back = objs[0] as Pod;
  assert.equal(back.spec?.containers?.[0].ports?.[0].containerPort, 80);
});
