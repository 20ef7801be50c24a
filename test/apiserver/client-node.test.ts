/**
 * @kubernetes/client-node (unchanged, ESM) against the apiserver process: typed create/list/patch/
 * delete, an informer (makeInformer: list + watch) seeing add/update/delete, and ApiException
 * carrying the Status for errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { waitFor } from '../../lib/testing/wait.js';
import { startCluster } from './harness.js';

test('@kubernetes/client-node: CRUD, patch and an informer', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  t.after(() => core.deleteNamespace({ name: ns }).catch(() => undefined));

  const seen: string[] = [];
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
  informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) => seen.push(`update:${o.metadata?.name}:${o.data?.k}`));
  informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before' }, data: { k: '0' } } });
  await informer.start();
  t.after(() => informer.stop());
  await waitFor('informer lists the existing object', () => seen.includes('add:before'));

  const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm1', labels: { app: 'x' } }, data: { k: 'v1' } } });
  assert.equal(created.metadata?.namespace, ns);
  assert.ok(created.metadata?.uid);
  const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=x' });
  assert.deepEqual(list.items.map((i) => i.metadata?.name), ['cm1']);

  const patched = await core.patchNamespacedConfigMap({ name: 'cm1', namespace: ns, body: { data: { k: 'v2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  assert.equal(patched.data?.k, 'v2');
  const jsonPatched = await core.patchNamespacedConfigMap({ name: 'cm1', namespace: ns, body: [{ op: 'add', path: '/data/extra', value: 'e' }] },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
  assert.equal(jsonPatched.data?.extra, 'e');

  const dep = await apps.createNamespacedDeployment({ namespace: ns, body: {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  } });
  assert.equal(dep.spec?.replicas, 1);
  const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
  assert.equal(scale.spec?.replicas, 1);

  await core.deleteNamespacedConfigMap({ name: 'cm1', namespace: ns });
  await waitFor('informer sees add, update and delete', () =>
    ['add:cm1', 'update:cm1:v2', 'delete:cm1'].every((e) => seen.includes(e)) && seen, { timeoutMs: 15_000 });
  assert.ok(seen.indexOf('add:cm1') < seen.indexOf('delete:cm1'));

  await assert.rejects(core.readNamespacedConfigMap({ name: 'cm1', namespace: ns }), (err: unknown) => {
    assert.ok(err instanceof k8s.ApiException);
    assert.equal(err.code, 404);
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    assert.equal(body.reason, 'NotFound');
    return true;
  });
  assert.deepEqual(errors, []);
});
