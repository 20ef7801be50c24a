import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from './control-plane.js';
import type { KObject } from '../api/object.js';

test('test control plane serves REST and gRPC over one registry', async () => {
  const cp = await startControlPlane();
  try {
    const created = await cp.client.create<KObject>({ resource: 'configmaps', namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { a: '1' } });
    assert.ok(created.metadata?.resourceVersion);
    const res = await fetch(`${cp.restURL}/api/v1/namespaces/default/configmaps/probe`);
    assert.equal(res.status, 200);
    const body = await res.json() as { data: Record<string, string>; metadata: { uid: string } };
    assert.deepEqual(body.data, { a: '1' });
    assert.equal(body.metadata.uid, created.metadata?.uid);
  } finally {
    await cp.stop();
  }
});
