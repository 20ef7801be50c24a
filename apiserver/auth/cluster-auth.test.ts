/**
 * The apiserver process with HTTPS, Node,RBAC and bootstrap tokens, driven over REST and with
 * the real kubectl: `kubectl auth can-i` prints what it prints against Kubernetes (plain "no",
 * or "no - <reason>" when the Node authorizer explains), a kubelet reads only the Secrets its
 * pods reference and asks tokens only for their ServiceAccounts, and bootstrap tokens
 * authenticate until they expire.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsJson, writeKubeconfig } from './testing.js';
import { freePort } from '../../lib/testing/ports.js';
import { kubectl, kubectlOk, startCluster, type TestCluster } from '../../test/apiserver/harness.js';
import { waitFor } from '../../lib/testing/wait.js';

const bin = '/usr/bin/kubectl';
const NS = 'ksimt-nodeauth';
let c: TestCluster;
let dir: string;
let port: number;
let ca: string;
let admin: string;

const call = (token: string, method: string, path: string, body?: unknown) => httpsJson(port, ca, token, method, path, body);
const kubeconfig = (name: string, user: Record<string, string>) => writeKubeconfig(join(dir, `kc-${name}`), port, ca, user, NS);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-cauth-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\nnode-token,system:node:n1,u-n1,"system:nodes"\n');
  port = await freePort();
  c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'),
    '--authorization-mode', 'Node,RBAC', '--enable-bootstrap-token-auth']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  admin = kubeconfig('admin', { token: 'admin-token' });
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'namespace', NS]);
  for (const s of ['mounted', 'unrelated']) await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'secret', 'generic', s, '--from-literal=k=v', '-n', NS]);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'serviceaccount', 'other', '-n', NS]);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: NS },
    spec: { nodeName: 'n1', volumes: [{ name: 's', secret: { secretName: 'mounted' } }], containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 's', mountPath: '/s' }] }] },
  }));
});
after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl auth can-i: "no" for a plain denial, "no - <reason>" when the Node authorizer says why, "yes" when allowed', async () => {
  const jane = await kubectl(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', 'list', 'pods', '--as=jane']);
  assert.deepEqual([jane.stdout, jane.code], ['no\n', 1]);
  const asNode = ['--kubeconfig', admin, 'auth', 'can-i', 'get', '--as=system:node:n1', '--as-group=system:nodes', '-n', NS];
  assert.equal((await kubectl(bin, c, [...asNode, 'secret/mounted'])).stdout, 'yes\n');
  assert.equal((await kubectl(bin, c, [...asNode, 'secret/unrelated'])).stdout, "no - no relationship found between node 'n1' and this object\n");
  assert.equal((await kubectl(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', 'delete', 'nodes'])).stdout, 'yes\n');
  // --list (SelfSubjectRulesReview): jane's rules in the namespace once she is bound to a Role there.
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', NS]);
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'rolebinding', 'jane-pods', '--role=pod-reader', '--user=jane', '-n', NS]);
  const list = await waitFor('jane\'s rules listed', async () => {
    const out = await kubectlOk(bin, c, ['--kubeconfig', admin, 'auth', 'can-i', '--list', '--as=jane', '-n', NS]);
    return /^pods\s+\[\]\s+\[\]\s+\[get list\]$/m.test(out) ? out : undefined;
  }, { timeoutMs: 10_000 });
  assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
  assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  assert.match(list, /^\s+\[\/healthz\]\s+\[\]\s+\[get\]$/m);
  assert.doesNotMatch(list, /^secrets/m);
});

test('Node authorizer: a kubelet reads only referenced Secrets and asks tokens only for its pods\' ServiceAccounts', async () => {
  assert.equal((await call('node-token', 'GET', `/api/v1/namespaces/${NS}/secrets/mounted`)).status, 200);
  const other = await call('node-token', 'GET', `/api/v1/namespaces/${NS}/secrets/unrelated`);
  assert.equal(other.status, 403);
  assert.equal(other.body.message, `secrets "unrelated" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node 'n1' and this object`);
  assert.equal((await call('node-token', 'GET', `/api/v1/namespaces/${NS}/secrets`)).status, 403);
  // The ServiceAccount admission mounted kube-root-ca.crt: the node may read it, and request the pod's token.
  assert.equal((await call('node-token', 'GET', `/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`)).status, 404, 'allowed (nothing publishes it here)');
  const pod = (await call('admin-token', 'GET', `/api/v1/namespaces/${NS}/pods/web`)).body;
  const tr = (sa: string) => call('node-token', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: pod.metadata.uid } } });
  const ok = await tr('default');
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal((await call(ok.body.status.token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).body.status.userInfo.username, `system:serviceaccount:${NS}:default`);
  assert.equal((await tr('other')).status, 403);
  // kubectl create token --bound-object-kind Pod: bound to an existing pod only.
  const bound = (await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', 'token', 'default', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'web'])).trim();
  assert.match(await kubectlOk(bin, c, ['--kubeconfig', kubeconfig('bound', { token: bound }), 'auth', 'whoami']), /authentication\.kubernetes\.io\/pod-name\s+\[web\]/);
  assert.match((await kubectl(bin, c, ['--kubeconfig', admin, 'create', 'token', 'default', '-n', NS, '--bound-object-kind', 'Pod', '--bound-object-name', 'ghost'])).stderr, /pods "ghost" not found/);
  // NodeRestriction: a kubelet's token must be bound to a pod on its node.
  const unbound = await call('node-token', 'POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
  assert.deepEqual([unbound.status, unbound.body.message], [403, 'serviceaccounts "default" is forbidden: node requested token not bound to a pod']);
});

test('bootstrap tokens authenticate as system:bootstrap:<id> until they expire', async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = (id: string, expiration: string) => JSON.stringify({
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    data: { 'token-id': b64(id), 'token-secret': b64('0123456789abcdef'), expiration: b64(expiration), 'usage-bootstrap-authentication': b64('true'), 'auth-extra-groups': b64('system:bootstrappers:kubeadm:default-node-token') },
  });
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], secret('abcdef', new Date(Date.now() + 3600_000).toISOString()));
  await kubectlOk(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], secret('expird', new Date(Date.now() - 1000).toISOString()));
  try {
    const whoami = await kubectlOk(bin, c, ['--kubeconfig', kubeconfig('boot', { token: 'abcdef.0123456789abcdef' }), 'auth', 'whoami']);
    assert.match(whoami, /Username\s+system:bootstrap:abcdef\n\s*Groups\s+\[system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated\]/);
    const expired = await kubectl(bin, c, ['--kubeconfig', kubeconfig('expired', { token: 'expird.0123456789abcdef' }), 'auth', 'whoami']);
    assert.notEqual(expired.code, 0);
    assert.match(expired.stderr, /Unauthorized/);
    assert.equal((await call('abcdef.0123456789abcdee', 'GET', '/api/v1/namespaces')).status, 401);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'secret', '-n', 'kube-system', 'bootstrap-token-abcdef', 'bootstrap-token-expird']);
  }
});
