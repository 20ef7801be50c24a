/**
 * The apiserver process with HTTPS (cert dir generated on first start), RBAC and a token file,
 * driven by the real kubectl with the admin's client certificate: authentication outcomes
 * (client cert, wrong CA, token, anonymous), RBAC 403 wording, a RoleBinding taking effect,
 * `kubectl auth can-i --as`, and the gRPC port refusing callers without a token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { createCA, issueCert, type CertKeyPair } from '../../lib/pki/pki.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { ServiceAccountTokens } from '../../apiserver/auth/sa-token.js';
import { kubectl, kubectlOk, startCluster, type TestCluster } from '../apiserver/harness.js';

let c: TestCluster;
let dir: string;
let securePort: number;
let ca: string;
const bin = '/usr/bin/kubectl';

function kubeconfig(name: string, user: Record<string, string>): string {
  const file = join(dir, `kc-${name}`);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${securePort}`, 'certificate-authority-data': b64(ca) } }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
    users: [{ name: 'u', user: Object.fromEntries(Object.entries(user).map(([k, v]) => [k, k.endsWith('-data') ? b64(v) : v])) }],
  }));
  return file;
}

/** One HTTPS request; resolves status and parsed JSON body. */
function get(path: string, opts: { cert?: CertKeyPair; token?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: securePort, path, ca, cert: opts.cert?.cert, key: opts.cert?.key, headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; }).on('end', () => {
        let body: Record<string, unknown> = {};
        try { body = JSON.parse(data); } catch { body = { text: data }; }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject).end();
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-sec-'));
  writeFileSync(join(dir, 'tokens.csv'), 'jane-token,jane,u-jane,"dev"\nnode-token,system:node:n1,u-n1,"system:nodes"\n');
  securePort = await freePort();
  c = await startCluster(['--secure-port', String(securePort), '--cert-dir', join(dir, 'pki'), '--authorization-mode', 'Node,RBAC', '--token-auth-file', join(dir, 'tokens.csv'), '--enable-admission-plugins', 'DefaultTolerationSeconds']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  await waitFor('https /readyz', async () => (await get('/readyz').catch(() => undefined))?.status === 200, { timeoutMs: 20_000 });
  // kc-admin: the admin's client certificate, used by every test.
  kubeconfig('admin', { 'client-certificate-data': readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), 'client-key-data': readFileSync(join(dir, 'pki', 'admin.key'), 'utf8') });
});
after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl with the admin client certificate over HTTPS; default roles and the kubernetes Service exist', async () => {
  const admin = join(dir, 'kc-admin');
  assert.match(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'ns', 'default', '-o', 'name']), /^namespace\/default\n$/);
  assert.match(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'clusterroles', 'cluster-admin', 'view', 'system:node', '-o', 'name']), /clusterrole.*cluster-admin[\s\S]*view[\s\S]*system:node/);
  assert.match(await kubectlOk(bin, c, ['--kubeconfig', admin, 'auth', 'whoami']), /Username\s+kubernetes-admin\n\s*Groups\s+\[system:masters system:authenticated\]/);
  // The `kubernetes` Service points pods at this apiserver's secure port.
  // Created by the apiserver in the background right after start: wait for it.
  const svc = JSON.parse(await waitFor('kubernetes service', async () => {
    const r = await kubectl(bin, c, ['--kubeconfig', admin, 'get', 'endpoints,service', 'kubernetes', '-n', 'default', '-o', 'json']);
    return r.code === 0 ? JSON.stringify(JSON.parse(r.stdout).items.find((i: { kind: string }) => i.kind === 'Service')) : undefined;
  }, { timeoutMs: 10_000 }));
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]), [[443, securePort]]);
  const ep = JSON.parse(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json']));
  assert.deepEqual([ep.subsets[0].addresses[0].ip, ep.subsets[0].ports[0].port], ['127.0.0.1', securePort]);
});

test('authentication: no credentials 401 (discovery anonymous), wrong CA 401, unknown token 401', async () => {
  const none = await get('/api/v1/namespaces');
  assert.equal(none.status, 401);
  assert.deepEqual([none.body.kind, none.body.reason, none.body.code], ['Status', 'Unauthorized', 401]);
  assert.equal((await get('/api')).status, 200);
  assert.equal((await get('/version')).status, 200);
  const rogue = issueCert(createCA('rogue'), { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  assert.equal((await get('/api/v1/namespaces', { cert: rogue })).status, 401);
  assert.equal((await get('/api/v1/namespaces', { token: 'nope' })).status, 401);
});

test('RBAC: jane is 403 with Kubernetes wording until a RoleBinding to view in her namespace', async () => {
  const denied = await get('/api/v1/namespaces/default/pods', { token: 'jane-token' });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  const admin = join(dir, 'kc-admin');
  const jane = kubeconfig('jane', { token: 'jane-token' });
  assert.match((await kubectl(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', 'list', 'pods', '--as=jane'])).stdout, /^no\b/);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'default']);
  {
    await waitFor('binding takes effect', async () => (await get('/api/v1/namespaces/default/pods', { token: 'jane-token' })).status === 200, { timeoutMs: 10_000 });
    assert.equal((await kubectl(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', 'list', 'pods', '--as=jane'])).stdout.trim(), 'yes');
    assert.match((await kubectl(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', 'delete', 'pods', '--as=jane'])).stdout, /^no\b/);
    assert.match((await kubectl(bin, c, ['--kubeconfig', jane, 'auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout, /^no\b/);
    const r = await kubectl(bin, c, ['--kubeconfig', jane, 'get', 'secrets']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"/);
    // jane may not impersonate anyone.
    assert.match((await kubectl(bin, c, ['--kubeconfig', jane, 'get', 'pods', '--as=admin'])).stderr, /forbidden/);
  }
});

test('gRPC facade: no token is refused, a known token is authorized like REST', async () => {
  const anon = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, {});
  const jane = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer jane-token' } });
  try {
    const secrets = { resource: 'secrets', namespace: 'default' };
    await assert.rejects(anon.list(secrets), (e: Error & { code?: string }) => e.code === 'Unauthorized');
    await assert.rejects(jane.list(secrets), (e: Error & { code?: string }) => e.code === 'Forbidden' && /User "jane" cannot list resource "secrets"/.test(e.message));
  } finally {
    anon.close();
    jane.close();
  }
});

test('escalation prevention: a namespace admin may grant what she holds, not more, nor bind cluster-admin', async () => {
  const admin = join(dir, 'kc-admin');
  const jane = kubeconfig('jane', { token: 'jane-token' });
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'namespace', 'ksimt-esc']);
  try {
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'ksimt-esc']);
    await waitFor('jane is admin in ksimt-esc', async () => (await get('/apis/rbac.authorization.k8s.io/v1/namespaces/ksimt-esc/roles', { token: 'jane-token' })).status === 200, { timeoutMs: 10_000 });
    await kubectlOk(bin, c, ['--kubeconfig', jane, 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'ksimt-esc']);
    const more = await kubectl(bin, c, ['--kubeconfig', jane, 'create', 'role', 'node-reader', '--verb=list', '--resource=nodes', '-n', 'ksimt-esc']);
    assert.notEqual(more.code, 0);
    assert.match(more.stderr, /roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "jane" .* is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["list"\]\}/);
    const bind = await kubectl(bin, c, ['--kubeconfig', jane, 'create', 'rolebinding', 'steal', '--clusterrole=cluster-admin', '--user=jane', '-n', 'ksimt-esc']);
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /attempting to grant RBAC permissions not currently held/);
    await kubectlOk(bin, c, ['--kubeconfig', jane, 'create', 'rolebinding', 'share-view', '--clusterrole=view', '--user=bob', '-n', 'ksimt-esc']);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'namespace', 'ksimt-esc', '--wait=false']);
  }
});

test('a ServiceAccount token bound to view in its namespace lists pods there only; expired or foreign-audience tokens are 401', async () => {
  const admin = join(dir, 'kc-admin');
  const issuer = new ServiceAccountTokens('https://kubernetes.default.svc.cluster.local', readFileSync(join(dir, 'pki', 'sa.key'), 'utf8'));
  const spec = { namespace: 'ksimt-sa', serviceAccount: 'reader', audiences: [], expirationSeconds: 3600 };
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'namespace', 'ksimt-sa']);
  try {
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=ksimt-sa:reader', '-n', 'ksimt-sa']);
    // ServiceAccount tokens are valid only while their account exists (as in Kubernetes).
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'serviceaccount', 'reader', '-n', 'ksimt-sa']);
    const token = issuer.issue(spec).token;
    await waitFor('token may list pods in its namespace', async () => (await get('/api/v1/namespaces/ksimt-sa/pods', { token })).status === 200, { timeoutMs: 10_000 });
    const other = await get('/api/v1/namespaces/default/pods', { token });
    assert.equal(other.status, 403);
    assert.match(String(other.body.message), /User "system:serviceaccount:ksimt-sa:reader" cannot list resource "pods"/);
    assert.equal((await get('/api/v1/namespaces/ksimt-sa/secrets', { token })).status, 403);
    // TokenRequest: `kubectl create token` returns a token the apiserver then accepts.
    const requested = (await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'token', 'reader', '-n', 'ksimt-sa', '--duration=20m'])).trim();
    assert.equal((await get('/api/v1/namespaces/ksimt-sa/pods', { token: requested })).status, 200);
    assert.match(await kubectlOk(bin, c, ['--kubeconfig', kubeconfig('sa', { token: requested }), 'auth', 'whoami']), /system:serviceaccount:ksimt-sa:reader/);
    const short = await kubectl(bin, c, ['--kubeconfig', admin, 'create', 'token', 'reader', '-n', 'ksimt-sa', '--duration=1m']);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
    assert.match((await kubectl(bin, c, ['--kubeconfig', admin, 'create', 'token', 'ghost', '-n', 'ksimt-sa'])).stderr, /serviceaccounts "ghost" not found/);
    assert.equal((await get('/api/v1/namespaces/ksimt-sa/pods', { token: issuer.issue({ ...spec, now: Date.now() - 7200_000 }).token })).status, 401);
    assert.equal((await get('/api/v1/namespaces/ksimt-sa/pods', { token: issuer.issue({ ...spec, audiences: ['vault'] }).token })).status, 401);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'namespace', 'ksimt-sa', '--wait=false']);
  }
});

test('admission: PodSecurity baseline refuses a privileged pod; pods get the default NoExecute tolerations', async () => {
  const admin = join(dir, 'kc-admin');
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'namespace', 'ksimt-pss']);
  try {
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'label', 'namespace', 'ksimt-pss', 'pod-security.kubernetes.io/enforce=baseline']);
    const pod = (name: string, privileged: boolean) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ksimt-pss' }, spec: { containers: [{ name: 'app', image: 'busybox', securityContext: { privileged } }] } });
    const refused = await kubectl(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], { input: pod('priv', true) });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /pods "priv" is forbidden: violates PodSecurity "baseline:latest": privileged/);
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], pod('plain', false));
    const created = JSON.parse(await kubectlOk(bin, c, ['--kubeconfig', admin, 'get', 'pod', 'plain', '-n', 'ksimt-pss', '-o', 'json']));
    assert.deepEqual(created.spec.tolerations.map((t: { key: string; tolerationSeconds: number }) => [t.key, t.tolerationSeconds]),
      [['node.kubernetes.io/not-ready', 300], ['node.kubernetes.io/unreachable', 300]]);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'namespace', 'ksimt-pss', '--wait=false']);
  }
});

test('Node mode + NodeRestriction: a kubelet writes its own Node, not another', async () => {
  const admin = join(dir, 'kc-admin');
  const kubelet = kubeconfig('kubelet', { token: 'node-token' });
  const node = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  try {
    await kubectlOk(bin, c, ['--kubeconfig', kubelet, 'create', '-f', '-'], node('n1'));
    const other = await kubectl(bin, c, ['--kubeconfig', kubelet, 'create', '-f', '-'], { input: node('n2') });
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /forbidden/);
    await kubectlOk(bin, c, ['--kubeconfig', kubelet, 'label', 'node', 'n1', 'ksimt=yes']);
    await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], node('n2'));
    assert.match((await kubectl(bin, c, ['--kubeconfig', kubelet, 'label', 'node', 'n2', 'ksimt=yes'])).stderr, /forbidden/);
    assert.match((await kubectl(bin, c, ['--kubeconfig', kubelet, 'get', 'secrets', '-A'])).stderr, /forbidden/);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'node', 'n1', 'n2', '--ignore-not-found']);
  }
});
