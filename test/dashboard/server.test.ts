/**
 * The dashboard server against a real control plane (etcd + apiserver in-process): the SSE stream
 * mirrors the cluster (snapshot, then deltas for creates/updates/deletes), apply/scale/delete go
 * through the apiserver and its validation errors come back as Status with field causes, object
 * YAML, logs refused for hollow nodes, chaos actions run and leave an Event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startDashboard } from '../../dashboard/server/index.js';
import { followStream } from './sse-client.js';

const post = async (base: string, path: string, body: unknown, type = 'application/json') => {
  const res = await fetch(new URL(`api/${path}`, base), { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

test('dashboard server: live stream, object YAML, apply/scale/delete with apiserver validation, logs guard, chaos', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  await cp.client.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ksimt-n1', labels: { 'kubesim.io/hollow': 'true' } } });
  const stopped: string[] = [];
  const dash = await startDashboard({
    grpcServer: cp.grpcTarget, restURL: cp.restURL, flushMs: 20,
    chaos: { 'stop-node': { label: 'Stop node', target: 'node', run: async (n) => { stopped.push(n); return `node ${n} stopped`; } } },
  });
  t.after(() => dash.close());
  const stream = await followStream(dash.url);
  t.after(() => stream.close());

  // The first snapshot may come before the informers listed: the node arrives either way.
  await waitFor('node in stream', () => stream.objects.has('Node//ksimt-n1'), { timeoutMs: 10_000 });
  assert.equal(stream.objects.get('Node//ksimt-n1')!.hollow, true);

  // Apply a Deployment; an invalid one is refused by the apiserver with field causes.
  const bad = await post(dash.url, 'apply', { yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n' });
  assert.equal(bad.status, 422, JSON.stringify(bad.body));
  assert.equal(bad.body.reason, 'Invalid');
  assert.ok(bad.body.details.causes.some((c: { field: string }) => c.field === 'spec.replicas'), JSON.stringify(bad.body));
  const good = await post(dash.url, 'apply', { yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n' });
  assert.deepEqual(good.body.results, [{ kind: 'Deployment', namespace: 'default', name: 'web', action: 'created' }]);
  await waitFor('deployment replicas 1', () => stream.objects.get('Deployment/default/web')?.replicas === 1, { timeoutMs: 5000 });
  const again = await post(dash.url, 'apply', { yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {minReadySeconds: 3}\n' });
  assert.equal(again.body.results?.[0]?.action, 'configured', JSON.stringify(again.body));

  // Scale: a bad value is Invalid with the field; a good one shows up in the stream.
  const badScale = await post(dash.url, 'scale', { kind: 'Deployment', namespace: 'default', name: 'web', replicas: 'x' });
  assert.equal(badScale.status, 422);
  assert.equal(badScale.body.details.causes[0].field, 'spec.replicas');
  assert.equal((await post(dash.url, 'scale', { kind: 'Deployment', namespace: 'default', name: 'web', replicas: 3 })).status, 200);
  await waitFor('deployment replicas 3', () => stream.objects.get('Deployment/default/web')?.replicas === 3, { timeoutMs: 5000 });
  assert.equal((await post(dash.url, 'scale', { kind: 'DaemonSet', namespace: 'default', name: 'x', replicas: 1 })).status, 400);

  // Object YAML (no managedFields), NotFound as a Status.
  const obj = await (await fetch(new URL('api/object?kind=Deployment&namespace=default&name=web', dash.url))).json() as { yaml: string };
  assert.match(obj.yaml, /kind: Deployment\n/);
  assert.match(obj.yaml, /replicas: 3/);
  assert.doesNotMatch(obj.yaml, /managedFields/);
  const missing = await fetch(new URL('api/object?kind=Pod&namespace=default&name=nope', dash.url));
  assert.equal(missing.status, 404);
  assert.equal((await missing.json() as { reason: string }).reason, 'NotFound');

  // A pod bound to a hollow node: visible, and its logs are refused without dialling the node.
  await cp.client.create({ resource: 'pods', namespace: 'default' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { nodeName: 'ksimt-n1', containers: [{ name: 'c', image: 'busybox' }] } });
  await waitFor('pod p1 on node', () => stream.objects.get('Pod/default/p1')?.node === 'ksimt-n1', { timeoutMs: 5000 });
  const logs = await fetch(new URL('api/logs?namespace=default&name=p1', dash.url));
  assert.equal(logs.status, 400);
  assert.match((await logs.json() as { message: string }).message, /hollow node/);

  // Delete: the pod leaves the stream.
  assert.equal((await post(dash.url, 'delete', { kind: 'Pod', namespace: 'default', name: 'p1' })).status, 200);
  await waitFor('pod p1 gone', async () => {
    await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'p1' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
    return !stream.objects.has('Pod/default/p1');
  }, { timeoutMs: 5000 });

  // Chaos: the action runs and an Event about the node appears in the stream.
  const info = await (await fetch(new URL('api/info', dash.url))).json() as { chaos: Array<{ id: string }> };
  assert.deepEqual(info.chaos.map((c) => c.id), ['stop-node']);
  assert.equal((await post(dash.url, 'chaos', { action: 'stop-node', target: 'ksimt-n1' })).body.message, 'node ksimt-n1 stopped');
  assert.deepEqual(stopped, ['ksimt-n1']);
  await waitFor('chaos event', () => [...stream.objects.values()].some((o) => o.kind === 'Event' && o.reason === 'ChaosStopNode'), { timeoutMs: 5000 });
  assert.equal((await post(dash.url, 'chaos', { action: 'nope', target: 'x' })).status, 404);

  // Edges: unknown API path, non-JSON body, unknown kind.
  assert.equal((await fetch(new URL('api/nope', dash.url))).status, 404);
  assert.equal((await post(dash.url, 'apply', { yaml: 'x' }, 'text/plain')).status, 415);
  const gizmo = await post(dash.url, 'apply', { yaml: 'apiVersion: v1\nkind: Gizmo\nmetadata: {name: g}\n' });
  assert.equal(gizmo.status, 400);
  assert.match(gizmo.body.message, /does not handle kind "Gizmo"/);
  // A read-only dashboard refuses writes with Forbidden and offers no chaos.
  const ro = await startDashboard({ client: cp.client, restURL: cp.restURL, readOnly: true, chaos: { x: { label: 'x', target: 'none', run: async () => 'ran' } } });
  t.after(() => ro.close());
  const refused = await post(ro.url, 'scale', { kind: 'Deployment', namespace: 'default', name: 'web', replicas: 0 });
  assert.equal(refused.status, 403);
  assert.match(refused.body.message, /--read-only/);
  assert.deepEqual(await (await fetch(new URL('api/info', ro.url))).json().then((i) => [(i as { chaos: unknown[] }).chaos.length, (i as { readOnly: boolean }).readOnly]), [0, true]);
  assert.equal((await cp.client.get<{ spec: { replicas: number } } & Record<string, unknown>>({ group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' })).spec.replicas, 3);

  // Static: the page or a clear note that it is not built.
  const page = await fetch(dash.url);
  assert.ok(page.status === 200 || page.status === 503);
});
