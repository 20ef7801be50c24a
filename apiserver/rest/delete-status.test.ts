/** DELETE answers as Kubernetes': 200 with the object while its deletion is pending, 202 only with orphanDependents=false. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../../lib/testing/control-plane.js';

test('DELETE of a namespace or a pod in its grace period is 200 with the object; a pending delete with orphanDependents=false is 202', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${cp.restURL}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as { kind: string; status?: { phase?: string }; metadata?: { deletionTimestamp?: string } } };
  };
  assert.equal((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } })).status, 201);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
  assert.equal((await call('POST', '/api/v1/namespaces/lab/pods', pod)).status, 201);
  const podGone = await call('DELETE', '/api/v1/namespaces/lab/pods/p');
  assert.equal(podGone.status, 200);
  assert.equal(podGone.body.kind, 'Pod');
  assert.ok(podGone.body.metadata?.deletionTimestamp, 'the pod waits for its kubelet (grace period)');
  const nsGone = await call('DELETE', '/api/v1/namespaces/lab');
  assert.equal(nsGone.status, 200);
  assert.equal(nsGone.body.status?.phase, 'Terminating');
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } };
  assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps', cm)).status, 201);
  const held = await call('DELETE', '/api/v1/namespaces/default/configmaps/held', { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
  assert.equal(held.status, 202);
  assert.ok(held.body.metadata?.deletionTimestamp);
});
