/**
 * The kubelet's per-object manager against the apiserver process under Node,RBAC with a node's
 * own identity: it reads and follows exactly the Secrets, ConfigMaps and claims its pods
 * reference (what the Node authorizer allows), reports changes, and drops what no pod needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../lib/api/object.js';
import type { Pod } from '../../lib/api/types.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { waitFor } from '../../lib/testing/wait.js';
import { startCluster } from '../../test/apiserver/harness.js';
import { ReferencedObjects } from './referenced-objects.js';

test('a node identity follows only the objects its pods reference', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-refobj-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,admin,u-admin,"system:masters"\nnode-token,system:node:n1,u-n1,"system:nodes"\n');
  const cluster = await startCluster(['--token-auth-file', tokens, '--authorization-mode', 'Node,RBAC']);
  t.after(() => cluster.stop());
  const admin = ApiClient.connect(`127.0.0.1:${cluster.grpcPort}`, { metadata: { authorization: 'Bearer admin-token' } });
  const node = ApiClient.connect(`127.0.0.1:${cluster.grpcPort}`, { metadata: { authorization: 'Bearer node-token' } });
  t.after(() => { admin.close(); node.close(); });
  const ns = 'default';
  const secret = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, data: { k: Buffer.from(v).toString('base64') } } as KObject);
  await admin.create({ resource: 'secrets', namespace: ns }, secret('mounted', 'one'));
  await admin.create({ resource: 'secrets', namespace: ns }, secret('unrelated', 'x'));
  await admin.create({ resource: 'configmaps', namespace: ns }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env', namespace: ns }, data: { A: '1' } } as KObject);
  const pod = await admin.create<Pod>({ resource: 'pods', namespace: ns }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns },
    spec: { nodeName: 'n1', volumes: [{ name: 's', secret: { secretName: 'mounted' } }], containers: [{ name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: 'env' } }, { secretRef: { name: 'later' } }] }] },
  } as Pod);

  const changes: string[] = [];
  const objects = new ReferencedObjects(node, (kind, _ns, name) => changes.push(`${kind}/${name}`));
  t.after(() => objects.close());
  await objects.register(pod, 5000);
  // The Node authorizer allows the reads once its graph has the pod (it follows pods by watch): retried until then.
  await waitFor('referenced objects read', () => objects.secret(ns, 'mounted') && objects.configMap(ns, 'env'), { timeoutMs: 30_000 });
  assert.equal(Buffer.from(objects.secret(ns, 'mounted')!.data!.k, 'base64').toString(), 'one');
  assert.deepEqual(objects.configMap(ns, 'env')?.data, { A: '1' });
  assert.equal(objects.secret(ns, 'later'), undefined, 'referenced but absent');
  assert.equal(objects.secret(ns, 'unrelated'), undefined, 'never asked for');
  await assert.rejects(node.list({ resource: 'secrets', namespace: ns }), (e: Error & { code?: string }) => e.code === 'Forbidden', 'the node may not list secrets');

  const cur = await admin.get<KObject & { data: Record<string, string> }>({ resource: 'secrets', namespace: ns, name: 'mounted' });
  cur.data.k = Buffer.from('two').toString('base64');
  await admin.update({ resource: 'secrets', namespace: ns }, cur);
  await admin.create({ resource: 'secrets', namespace: ns }, secret('later', 'created'));
  await waitFor('updates followed', () => Buffer.from(objects.secret(ns, 'mounted')?.data?.k ?? '', 'base64').toString() === 'two' && objects.secret(ns, 'later') !== undefined);
  assert.ok(changes.includes('secrets/mounted') && changes.includes('secrets/later'), changes.join(','));

  objects.sweep([]);
  assert.equal(objects.secret(ns, 'mounted'), undefined, 'dropped once no pod references it');
});
