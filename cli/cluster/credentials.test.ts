import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseTokenFile } from '../../apiserver/rest/auth.js';
import { certUser } from '../../lib/pki/pki.js';
import { clusterLayout } from './layout.js';
import { ensureClusterCredentials, ensureNodeCredentials, ensureToken, kubeconfigOf, tokenFileOf } from './credentials.js';

test('cluster credentials: one kubeconfig per identity (HTTPS, CA, client cert, gRPC token), stable across runs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-creds-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = { ...clusterLayout('ksimt', 7), dir, kubeconfig: join(dir, 'kubeconfig') };
  ensureClusterCredentials(c);
  const node = ensureNodeCredentials(c, 'node-1', '10.200.7.11');
  const tokens = parseTokenFile(readFileSync(tokenFileOf(c), 'utf8'));
  const users = [...tokens.values()].map((u) => u.username).sort();
  assert.deepEqual(users, ['kubernetes-admin', 'system:kube-controller-manager', 'system:kube-proxy', 'system:kube-scheduler', 'system:node:node-1']);
  assert.equal(statSync(tokenFileOf(c)).mode & 0o777, 0o600);
  type Kc = { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, string> }[] };
  for (const [file, user] of [[c.kubeconfig, 'kubernetes-admin'], [kubeconfigOf(c, 'kube-proxy'), 'system:kube-proxy'], [node.kubeconfig, 'system:node:node-1']]) {
    const kc = parseYaml(readFileSync(file, 'utf8')) as Kc;
    assert.equal(kc.clusters[0].cluster.server, 'https://10.200.7.1:7143');
    assert.deepEqual(kc.clusters[0].cluster.extensions, [{ name: 'kubesim.io/grpc-server', extension: '10.200.7.1:8781' }]);
    assert.equal(certUser(Buffer.from(kc.users[0].user['client-certificate-data'], 'base64').toString()).username, user);
    assert.equal(tokens.get(kc.users[0].user.token)?.username, user, `${file}: its token is ${user}'s`);
  }
  const serving = new X509Certificate(readFileSync(node.tlsCertFile));
  assert.ok(serving.checkIP('10.200.7.11'));
  assert.ok(serving.checkIssued(new X509Certificate(readFileSync(node.clientCAFile))));
  // A second run keeps every token (components already running hold them).
  const before = readFileSync(tokenFileOf(c), 'utf8');
  ensureClusterCredentials(c);
  ensureNodeCredentials(c, 'node-1', '10.200.7.11');
  assert.equal(readFileSync(tokenFileOf(c), 'utf8'), before);
  assert.equal(ensureToken(tokenFileOf(c), 'system:node:node-2', ['system:nodes']).length, 64);
  assert.equal(parseTokenFile(readFileSync(tokenFileOf(c), 'utf8')).size, 6);
});
