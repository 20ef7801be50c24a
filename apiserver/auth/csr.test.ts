/**
 * CertificateSigningRequests end to end: the apiserver process (HTTPS, Node,RBAC, bootstrap
 * tokens) with the csrsigning and csrapproving controllers running against it, driven by the real
 * kubectl — `get csr`, `certificate approve/deny`, validation errors naming the field — and the
 * kubelet's bootstrap path: a bootstrap token may create a CSR but not read pods, its node client
 * CSR is auto-approved and signed, and the certificate authenticates as system:node:<name>.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { httpsJson, writeKubeconfig } from './testing.js';
import { freePort } from '../../lib/testing/ports.js';
import { kubectl, kubectlOk, startCluster, type TestCluster } from '../../test/apiserver/harness.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { createCsr, newPrivateKeyPem, type CsrSubject } from '../../lib/pki/csr.js';
import { CsrSigningController } from '../../controller-manager/controllers/certificates/signing.js';
import { CsrApprovingController } from '../../controller-manager/controllers/certificates/approving.js';

const bin = '/usr/bin/kubectl';
let c: TestCluster;
let dir: string;
let port: number;
let ca: string;
let admin: string;
let client: ApiClient;
const controllers = new AbortController();
let running: Promise<unknown> | undefined;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const kubeconfig = (name: string, user: Record<string, string>) => writeKubeconfig(join(dir, `kc-${name}`), port, ca, user);
const k = (args: string[], input?: string) => kubectlOk(bin, c, ['--kubeconfig', admin, ...args], input);

function csrObject(name: string, key: string, subject: CsrSubject, signerName: string, usages: string[], expirationSeconds?: number): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: b64(createCsr(key, subject)), signerName, usages, ...(expirationSeconds ? { expirationSeconds } : {}) },
  });
}

function bootstrapSecret(id: string, expiration: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    data: { 'token-id': b64(id), 'token-secret': b64('0123456789abcdef'), expiration: b64(expiration), 'usage-bootstrap-authentication': b64('true'), 'auth-extra-groups': b64('system:bootstrappers:kubeadm:default-node-token') },
  });
}

/** A kubeconfig authenticating with the certificate CSR `name` was issued and `key`. */
async function certKubeconfig(name: string, key: string): Promise<string> {
  const cert = await waitFor(`certificate of ${name}`, async () => (await k(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}'])) || undefined, { timeoutMs: 20_000 });
  return kubeconfig(`cert-${name}`, { 'client-certificate-data': cert, 'client-key-data': b64(key) });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-csr-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\njane-token,jane,u-jane,"dev"\n');
  port = await freePort();
  c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'),
    '--authorization-mode', 'Node,RBAC', '--enable-bootstrap-token-auth']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  admin = kubeconfig('admin', { token: 'admin-token' });
  // The controllers as the controller-manager runs them, signing with the cluster CA.
  client = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer admin-token' } });
  const f = new InformerFactory(client);
  const signing = new CsrSigningController(f, client, { ca: { cert: ca, key: readFileSync(join(dir, 'pki', 'ca.key'), 'utf8') }, durationMs: 24 * 3600_000 });
  const approving = new CsrApprovingController(f, client);
  f.start(controllers.signal);
  await f.waitForCacheSync(controllers.signal);
  running = Promise.all([signing.run(1, controllers.signal), approving.run(1, controllers.signal)]);
});
after(async () => {
  controllers.abort();
  await running;
  client?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl get csr, certificate approve and deny; the signed certificate authenticates as its subject', async () => {
  assert.match((await kubectl(bin, c, ['--kubeconfig', admin, 'get', 'csr'])).stderr, /No resources found/);
  const janeKey = newPrivateKeyPem();
  await k(['create', '-f', '-'], csrObject('jane', janeKey, { commonName: 'jane', organizations: ['dev'] }, 'kubernetes.io/kube-apiserver-client', ['digital signature', 'client auth'], 3600));
  await k(['create', '-f', '-'], csrObject('bob', newPrivateKeyPem(), { commonName: 'bob' }, 'kubernetes.io/kube-apiserver-client', ['client auth']));
  const table = await k(['get', 'csr']);
  assert.equal(table.split('\n')[0].trim().replace(/\s{2,}/g, ' | '), 'NAME | AGE | SIGNERNAME | REQUESTOR | REQUESTEDDURATION | CONDITION');
  assert.match(table, /^jane\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+admin\s+60m\s+Pending$/m);
  assert.match(table, /^bob\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+admin\s+<none>\s+Pending$/m);
  // The requester is whoever created it, whatever the body claims.
  const jane = JSON.parse(await k(['get', 'csr', 'jane', '-o', 'json'])) as { spec: { username: string; groups: string[]; uid: string } };
  assert.deepEqual([jane.spec.username, jane.spec.uid, jane.spec.groups], ['admin', 'u-admin', ['system:masters', 'system:authenticated']]);

  assert.equal((await k(['certificate', 'approve', 'jane'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane approved');
  assert.equal((await k(['certificate', 'deny', 'bob'])).trim(), 'certificatesigningrequest.certificates.k8s.io/bob denied');
  await waitFor('jane issued', async () => /^jane\s.*\sApproved,Issued$/m.test(await k(['get', 'csr'])) || undefined, { timeoutMs: 20_000 });
  assert.match(await k(['get', 'csr', 'bob']), /\sDenied$/m);
  const approved = JSON.parse(await k(['get', 'csr', 'jane', '-o', 'json'])) as { status: { conditions: { type: string; reason: string; status: string; lastUpdateTime: string }[]; certificate: string } };
  assert.equal(approved.status.conditions[0].type, 'Approved');
  assert.equal(approved.status.conditions[0].reason, 'KubectlApprove');
  assert.ok(approved.status.conditions[0].lastUpdateTime);
  const cert = new X509Certificate(Buffer.from(approved.status.certificate, 'base64'));
  assert.ok(cert.checkIssued(new X509Certificate(ca)));
  // expirationSeconds 3600 (+ 5 minutes back-dated for clock skew).
  assert.ok(Math.abs(Date.parse(cert.validTo) - Date.parse(cert.validFrom) - 3900_000) < 5000, `${cert.validFrom} .. ${cert.validTo}`);
  const whoami = await kubectlOk(bin, c, ['--kubeconfig', await certKubeconfig('jane', janeKey), 'auth', 'whoami']);
  assert.match(whoami, /Username\s+jane\n\s*Groups\s+\[dev system:authenticated\]/);

  // Approval conditions stay once set; the certificate only changes through /status, once.
  const bob = JSON.parse(await k(['get', 'csr', 'bob', '-o', 'json'])) as { status: { conditions: unknown[] } };
  const flip = await httpsJson(port, ca, 'admin-token', 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/approval',
    { ...bob, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Changed', message: '' }] } });
  assert.equal(flip.status, 422);
  assert.match(flip.body.message, /status\.conditions: Forbidden: updates may not remove a condition of type "Denied"/);
  const forged = await httpsJson(port, ca, 'admin-token', 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/bob/status', { ...bob, status: { ...bob.status, certificate: approved.status.certificate } });
  assert.equal(forged.status, 422);
  assert.match(forged.body.message, /status\.certificate: Forbidden: certificate cannot be set if the request is denied/);
  await k(['delete', 'csr', 'jane', 'bob']);
});

test('approving needs approve on the signer, signing needs sign, and nobody gets a system:masters client certificate', async () => {
  const masters = await kubectl(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], { input: csrObject('root', newPrivateKeyPem(), { commonName: 'root', organizations: ['system:masters'] }, 'kubernetes.io/kube-apiserver-client', ['client auth']) });
  assert.notEqual(masters.code, 0);
  assert.match(masters.stderr, /certificatesigningrequests\.certificates\.k8s\.io "root" is forbidden: use of kubernetes\.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  await k(['create', '-f', '-'], csrObject('pending', newPrivateKeyPem(), { commonName: 'someone' }, 'example.com/my-signer', ['client auth']));
  await k(['create', 'clusterrole', 'csr-approver', '--verb=get,list,watch,update', '--resource=certificatesigningrequests.certificates.k8s.io,certificatesigningrequests.certificates.k8s.io/approval,certificatesigningrequests.certificates.k8s.io/status']);
  await k(['create', 'clusterrolebinding', 'jane-approver', '--clusterrole=csr-approver', '--user=jane']);
  const janeKc = kubeconfig('jane', { token: 'jane-token' });
  try {
    const denied = await waitFor('jane reaches admission', async () => {
      const r = await kubectl(bin, c, ['--kubeconfig', janeKc, 'certificate', 'approve', 'pending']);
      return /user not permitted/.test(r.stderr) ? r : undefined;
    });
    assert.match(denied.stderr, /certificatesigningrequests\.certificates\.k8s\.io "pending" is forbidden: user not permitted to approve requests with signerName "example\.com\/my-signer"/);
    // signers are not an API resource, so the role is written out (kubectl create clusterrole refuses them as against Kubernetes).
    await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'my-signer-approver' },
      rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['example.com/*'], verbs: ['approve'] }] }));
    await k(['create', 'clusterrolebinding', 'jane-signer', '--clusterrole=my-signer-approver', '--user=jane']);
    await waitFor('jane approves with approve on example.com/*', async () => (await kubectl(bin, c, ['--kubeconfig', janeKc, 'certificate', 'approve', 'pending'])).code === 0 || undefined);
    const csr = JSON.parse(await k(['get', 'csr', 'pending', '-o', 'json'])) as Record<string, unknown>;
    const sign = await httpsJson(port, ca, 'jane-token', 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/pending/status',
      { ...csr, status: { ...(csr.status as object), certificate: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') } });
    assert.equal(sign.status, 403);
    assert.match(sign.body.message, /user not permitted to sign requests with signerName "example\.com\/my-signer"/);
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'csr', 'pending', '--ignore-not-found']);
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'clusterrolebinding', 'jane-approver', 'jane-signer', '--ignore-not-found']);
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'clusterrole', 'csr-approver', 'my-signer-approver', '--ignore-not-found']);
  }
});

test('a CSR with a bad request, signer or usages is refused naming each field', async () => {
  const bad = await kubectl(bin, c, ['--kubeconfig', admin, 'create', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'bad' }, spec: { request: b64('not a csr'), usages: ['client auth', 'flying'], expirationSeconds: 60 } }),
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The CertificateSigningRequest "bad" is invalid/);
  assert.match(bad.stderr, /spec\.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/);
  assert.match(bad.stderr, /spec\.signerName: Required value/);
  assert.match(bad.stderr, /spec\.usages\[1\]: Unsupported value: "flying"/);
  assert.match(bad.stderr, /spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds/);
});

test('a bootstrap token creates a CSR but reads no pods; its node client CSR is auto-approved and signed; an expired token is 401', async () => {
  await k(['create', '-f', '-'], bootstrapSecret('abcdef', new Date(Date.now() + 3600_000).toISOString()));
  await k(['create', '-f', '-'], bootstrapSecret('expird', new Date(Date.now() - 1000).toISOString()));
  try {
    const token = 'abcdef.0123456789abcdef';
    assert.equal((await httpsJson(port, ca, token, 'GET', '/api/v1/namespaces/default/pods')).status, 403);
    assert.equal((await httpsJson(port, ca, 'expird.0123456789abcdef', 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests')).status, 401);

    // jane may create CSRs but not as a node client: her node CSR waits for an admin.
    await k(['create', 'clusterrole', 'csr-creator', '--verb=create,get,list,watch', '--resource=certificatesigningrequests.certificates.k8s.io']);
    await k(['create', 'clusterrolebinding', 'jane-csr', '--clusterrole=csr-creator', '--user=jane']);
    const janeNode = JSON.parse(csrObject('jane-node', newPrivateKeyPem(), { commonName: 'system:node:n9', organizations: ['system:nodes'] }, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
    assert.equal((await waitFor('jane may create CSRs', async () => { const r = await httpsJson(port, ca, 'jane-token', 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', janeNode); return r.status === 403 ? undefined : r; })).status, 201);

    const nodeKey = newPrivateKeyPem();
    const nodeCsr = JSON.parse(csrObject('node-csr-n1', nodeKey, { commonName: 'system:node:n1', organizations: ['system:nodes'] }, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'key encipherment', 'client auth']));
    const created = await httpsJson(port, ca, token, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', nodeCsr);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.username, 'system:bootstrap:abcdef');
    assert.ok(created.body.spec.groups.includes('system:bootstrappers'));
    // A serving CSR from the node is left for an administrator, as in Kubernetes.
    await k(['create', '-f', '-'], csrObject('serving-n1', newPrivateKeyPem(), { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ipAddresses: ['10.200.0.11'] }, 'kubernetes.io/kubelet-serving', ['digital signature', 'server auth']));

    const nodeKc = await certKubeconfig('node-csr-n1', nodeKey);
    const row = await k(['get', 'csr', 'node-csr-n1']);
    assert.match(row, /^node-csr-n1\s+\d+s\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+<none>\s+Approved,Issued$/m);
    const reason = await k(['get', 'csr', 'node-csr-n1', '-o', 'jsonpath={.status.conditions[0].reason}: {.status.conditions[0].message}']);
    assert.equal(reason, 'AutoApproved: Auto approving kubelet client certificate after SubjectAccessReview.');
    assert.match(await kubectlOk(bin, c, ['--kubeconfig', nodeKc, 'auth', 'whoami']), /Username\s+system:node:n1\n\s*Groups\s+\[system:nodes system:authenticated\]/);
    assert.match(await k(['get', 'csr', 'jane-node']), /\sPending$/m);
    // The same question csrapproving asked, over REST: a SubjectAccessReview for jane and for the bootstrap token's groups.
    const sar = (user: string, groups: string[]) => k(['create', '-o', 'jsonpath={.status.allowed}', '-f', '-'], JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user, groups, resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'nodeclient', verb: 'create' } } }));
    assert.equal(await sar('jane', ['dev', 'system:authenticated']), 'false');
    assert.equal(await sar('system:bootstrap:abcdef', ['system:bootstrappers', 'system:authenticated']), 'true');
    assert.match(await k(['get', 'csr', 'serving-n1']), /\sPending$/m);

    // Renewal: the node, with its certificate, asks for its own name again (selfnodeclient).
    await kubectlOk(bin, c, ['--kubeconfig', nodeKc, 'create', '-f', '-'], csrObject('node-renew-n1', newPrivateKeyPem(), { commonName: 'system:node:n1', organizations: ['system:nodes'] }, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']));
    await certKubeconfig('node-renew-n1', nodeKey);
    assert.equal(await k(['get', 'csr', 'node-renew-n1', '-o', 'jsonpath={.status.conditions[0].message}']), 'Auto approving self kubelet client certificate after SubjectAccessReview.');
  } finally {
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'secret', '-n', 'kube-system', 'bootstrap-token-abcdef', 'bootstrap-token-expird']);
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'csr', 'node-csr-n1', 'node-renew-n1', 'jane-node', 'serving-n1', '--ignore-not-found']);
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'clusterrolebinding', 'jane-csr', '--ignore-not-found']);
    await kubectl(bin, c, ['--kubeconfig', admin, 'delete', 'clusterrole', 'csr-creator', '--ignore-not-found']);
  }
});
