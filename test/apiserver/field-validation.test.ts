/**
 * Server-side field validation against the apiserver process: fieldValidation=Strict refuses
 * unknown and duplicate fields with Kubernetes' 400, Warn (the default) answers with Warning
 * headers, Ignore is silent; over raw HTTP and through @kubernetes/client-node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { startCluster, type TestCluster } from './harness.js';

async function call(c: TestCluster, method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, any>; warnings: string }> {
  const res = await fetch(c.url + path, { method, body, headers: { 'content-type': contentType } });
  return { status: res.status, json: await res.json() as Record<string, any>, warnings: res.headers.get('warning') ?? '' };
}

const deployment = (name: string, specExtra = '', containerExtra = '') => `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},` +
  `"spec":{"replicas":1,${specExtra}"selector":{"matchLabels":{"app":"${name}"}},"template":{"metadata":{"labels":{"app":"${name}"}},` +
  `"spec":{"securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"c","image":"nginx"${containerExtra}}]}}}}`;

test('fieldValidation: Strict refuses unknown and duplicate fields, Warn warns, Ignore is silent', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  assert.equal((await call(c, 'POST', '/api/v1/namespaces', `{"metadata":{"name":"${ns}"}}`)).status, 201);
  t.after(() => fetch(`${c.url}/api/v1/namespaces/${ns}`, { method: 'DELETE' }).catch(() => undefined));
  const deps = `/apis/apps/v1/namespaces/${ns}/deployments`;

  const strict = await call(c, 'POST', `${deps}?fieldValidation=Strict`, deployment('s', '"foo":1,', ',"bar":true'));
  assert.equal(strict.status, 400);
  assert.equal(strict.json.reason, 'BadRequest');
  assert.equal(strict.json.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"');

  const dup = await call(c, 'POST', `${deps}?fieldValidation=Strict`, deployment('d', '"replicas":2,'));
  assert.equal(dup.status, 400);
  assert.match(dup.json.message, /strict decoding error: duplicate field "spec.replicas"$/);

  // A Kubernetes field kubesim does not model (seccompProfile) is known: it passes Strict.
  const clean = await call(c, 'POST', `${deps}?fieldValidation=Strict`, deployment('clean'));
  assert.equal(clean.status, 201, JSON.stringify(clean.json));
  assert.equal(clean.warnings, '');

  const warned = await call(c, 'POST', deps, deployment('w', '"foo":1,"replicas":3,'));
  assert.equal(warned.status, 201);
  assert.equal(warned.json.spec.replicas, 3, 'the last duplicate wins');
  assert.match(warned.warnings, /unknown field \\"spec.foo\\"/);
  assert.match(warned.warnings, /duplicate field \\"spec.replicas\\"/);

  const ignored = await call(c, 'POST', `${deps}?fieldValidation=Ignore`, deployment('i', '"foo":1,'));
  assert.equal(ignored.status, 201);
  assert.equal(ignored.warnings, '');

  const patched = await call(c, 'PATCH', `${deps}/clean?fieldValidation=Strict`, '{"spec":{"replicaz":2}}', 'application/merge-patch+json');
  assert.equal(patched.status, 400);
  assert.equal(patched.json.message, 'strict decoding error: unknown field "spec.replicaz"');
  const strategic = await call(c, 'PATCH', `${deps}/clean?fieldValidation=Strict`, '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","image":"nginx:1.27"}]}}}}', 'application/strategic-merge-patch+json');
  assert.equal(strategic.status, 200, JSON.stringify(strategic.json));

  const put = await call(c, 'PUT', `${deps}/clean?fieldValidation=Strict`, JSON.stringify({ ...strategic.json, status: undefined, spec: { ...strategic.json.spec, paused2: true } }));
  assert.equal(put.status, 400);
  assert.match(put.json.message, /unknown field "spec.paused2"/);

  const bogus = await call(c, 'POST', `${deps}?fieldValidation=Sometimes`, deployment('b'));
  assert.equal(bogus.status, 422);
  assert.match(bogus.json.message, /fieldValidation: Unsupported value: "Sometimes"/);
});

test('fieldValidation through @kubernetes/client-node: a clean Strict create passes, a Strict patch with a typo is an ApiException 400 naming the field', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = `ksimt-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  t.after(() => core.deleteNamespace({ name: ns }).catch(() => undefined));
  // Typed bodies only carry the fields client-node knows, so a Strict create of a real object passes...
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm' }, data: { a: 'b' } }, fieldValidation: 'Strict' });
  // ...and a patch (a plain object on the wire) with a typo is refused with the field's name.
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  await assert.rejects(core.patchNamespacedConfigMap({ name: 'cm', namespace: ns, body: { datta: { a: 'c' } }, fieldValidation: 'Strict' }, merge), (err: unknown) => {
    assert.ok(err instanceof k8s.ApiException, String(err));
    assert.equal(err.code, 400);
    assert.match(String(err.body), /strict decoding error: unknown field \\"datta\\"/);
    return true;
  });
  const ok = await core.patchNamespacedConfigMap({ name: 'cm', namespace: ns, body: { data: { a: 'c' } }, fieldValidation: 'Strict' }, merge);
  assert.equal(ok.data?.a, 'c');
});
