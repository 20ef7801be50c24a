/**
 * Token revocation with the real apiserver process and the real kubectl: a legacy token Secret
 * (filled by the serviceaccount-token controller) authenticates until the Secret is deleted or
 * its ServiceAccount goes; a token bound to a pod authenticates until the pod is deleted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJson, writeKubeconfig } from '../../apiserver/auth/testing.js';
import { freePort } from '../../lib/testing/ports.js';
import { kubectl, kubectlOk, startCluster, type TestCluster } from '../../test/apiserver/harness.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { startControllers } from '../run.js';

const bin = '/usr/bin/kubectl';
const NS = 'ksimt-satoken';
let c: TestCluster;
let dir: string;
let port: number;
let ca: string;
let admin: string;
let kcm: ApiClient;
const stop = new AbortController();
let running: Promise<void> | undefined;

const whoami = (token: string) => httpsJson(port, ca, token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
const secretToken = async (name: string) => waitFor(`token in Secret ${name}`, async () => {
  const out = (await kubectl(bin, c, ['--kubeconfig', admin, 'get', 'secret', name, '-n', NS, '-o', 'jsonpath={.data.token}'])).stdout;
  return out ? Buffer.from(out, 'base64').toString() : undefined;
}, { timeoutMs: 15_000 });
const tokenSecret = (name: string, account: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name, namespace: NS, annotations: { 'kubernetes.io/service-account.name': account } },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-satoken-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\nkcm-token,system:kube-controller-manager,u-kcm\n');
  port = await freePort();
  c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'), '--authorization-mode', 'Node,RBAC']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  admin = writeKubeconfig(join(dir, 'kc-admin'), port, ca, { token: 'admin-token' }, NS);
  kcm = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer kcm-token' } });
  // The token controller runs as the controller manager itself, with the apiserver's signing key.
  running = startControllers(kcm, { event: () => undefined }, stop.signal, {
    controllers: 'serviceaccount-token', workers: 1, nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutMs: 300_000,
    serviceAccountPrivateKey: readFileSync(join(dir, 'pki', 'sa.key'), 'utf8'), rootCA: ca,
  });
  running.catch(() => undefined);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'namespace', NS]);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'serviceaccount', 'robot', '-n', NS]);
});
after(async () => {
  stop.abort();
  await running?.catch(() => undefined);
  kcm?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a legacy token Secret authenticates until the Secret is deleted; its ServiceAccount going takes the Secret along', async () => {
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], tokenSecret('robot-token', 'robot'));
  const token = await secretToken('robot-token');
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.iss, 'kubernetes/serviceaccount');
  assert.equal(claims.exp, undefined, 'legacy tokens do not expire');
  const secret = JSON.parse(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'secret', 'robot-token', '-n', NS, '-o', 'json']));
  const sa = JSON.parse(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'serviceaccount', 'robot', '-n', NS, '-o', 'json']));
  assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
  assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), ca);
  assert.match(await kubectlOk(bin, c, ['--kubeconfig', writeKubeconfig(join(dir, 'kc-legacy'), port, ca, { token }, NS), 'auth', 'whoami']), new RegExp(`Username\\s+system:serviceaccount:${NS}:robot\\n`));
  // A token the Secret does not hold (same signature key, same claims, other Secret) is refused.
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], tokenSecret('robot-token-2', 'robot'));
  const second = await secretToken('robot-token-2');
  assert.equal((await whoami(second)).status, 201);
  const forged = token.split('.');
  assert.equal((await whoami(`${forged[0]}.${Buffer.from(JSON.stringify({ ...claims, 'kubernetes.io/serviceaccount/secret.name': 'robot-token-2' })).toString('base64url')}.${forged[2]}`)).status, 401, 'tampered');
  // Deleting the Secret revokes its token (and only its token).
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'delete', 'secret', 'robot-token', '-n', NS]);
  await waitFor('revoked with its Secret', async () => (await whoami(token)).status === 401 || undefined, { timeoutMs: 10_000 });
  const refused = await kubectl(bin, c, ['--kubeconfig', join(dir, 'kc-legacy'), 'auth', 'whoami']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Unauthorized/);
  assert.equal((await whoami(second)).status, 201);
  // Deleting the account: the controller deletes its token Secrets, and the token stops working.
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'delete', 'serviceaccount', 'robot', '-n', NS]);
  await waitFor('Secret of the deleted account removed', async () => (await kubectl(bin, c, ['--kubeconfig', admin, 'get', 'secret', 'robot-token-2', '-n', NS])).code !== 0 || undefined, { timeoutMs: 15_000 });
  assert.equal((await whoami(second)).status, 401);
});

test('a token bound to a pod authenticates until the pod is deleted (or replaced by one of the same name)', async () => {
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'serviceaccount', 'worker', '-n', NS]);
  const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job', namespace: NS }, spec: { serviceAccountName: 'worker', containers: [{ name: 'c', image: 'busybox' }] } });
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], pod);
  const token = (await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'token', 'worker', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'job'])).trim();
  const review = await whoami(token);
  assert.equal(review.status, 201);
  assert.deepEqual(review.body.status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['job']);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'delete', 'pod', 'job', '-n', NS, '--grace-period=0', '--force']);
  await waitFor('revoked with its pod', async () => (await whoami(token)).status === 401 || undefined, { timeoutMs: 10_000 });
  // A new pod of the same name has another uid: the old token stays refused.
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], pod);
  assert.equal((await whoami(token)).status, 401);
  const fresh = (await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'token', 'worker', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'job'])).trim();
  assert.equal((await whoami(fresh)).status, 201);
});

test('a token bound to a Secret (kubectl create token --bound-object-kind Secret) authenticates until the Secret is deleted', async () => {
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'serviceaccount', 'holder', '-n', NS]);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'secret', 'generic', 'anchor', '--from-literal=k=v', '-n', NS]);
  const token = (await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'token', 'holder', '-n', NS, '--bound-object-kind', 'Secret', '--bound-object-name', 'anchor'])).trim();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims['kubernetes.io'].secret.name, 'anchor');
  assert.equal((await whoami(token)).status, 201);
  const ghost = await kubectl(bin, c, ['--kubeconfig', admin, 'create', 'token', 'holder', '-n', NS, '--bound-object-kind', 'Secret', '--bound-object-name', 'ghost']);
  assert.match(ghost.stderr, /secrets "ghost" not found/);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'delete', 'secret', 'anchor', '-n', NS]);
  await waitFor('revoked with its Secret', async () => (await whoami(token)).status === 401 || undefined, { timeoutMs: 10_000 });
  // A new Secret of the same name has another uid: the token stays refused.
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'secret', 'generic', 'anchor', '--from-literal=k=v', '-n', NS]);
  assert.equal((await whoami(token)).status, 401);
});
