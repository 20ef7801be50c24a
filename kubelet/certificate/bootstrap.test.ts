/**
 * Kubelet TLS bootstrapping against the real apiserver process (HTTPS and TLS gRPC, Node,RBAC,
 * bootstrap tokens) with the csrapproving and csrsigning controllers: a kubelet with only a
 * bootstrap token gets a certificate through a CSR, then acts as system:node:<name> over gRPC
 * (its own Node yes, another node's no), keeps its certificate across restarts, and rotates it
 * with a CSR approved as selfnodeclient.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlOk, startCluster, type TestCluster } from '../../test/apiserver/harness.js';
import { writeKubeconfig } from '../../apiserver/auth/testing.js';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ApiClient } from '../../lib/client/api-client.js';
import { clientFromFlags } from '../../lib/client/flags.js';
import { InformerFactory } from '../../lib/client/informer.js';
import { expectApiError } from '../../apiserver/registry/testing.js';
import { CsrSigningController } from '../../controller-manager/controllers/certificates/signing.js';
import { CsrApprovingController } from '../../controller-manager/controllers/certificates/approving.js';
import { createCsr, newPrivateKeyPem, parseCsr, signCsr } from '../../lib/pki/csr.js';
import { createLogger } from '../runtime/log.js';
import { CURRENT_PEM, bootstrapClientCertificate } from './bootstrap.js';
import { rotateClientCertificate } from './rotation.js';

const bin = '/usr/bin/kubectl';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const log = createLogger('kubelet-test', true);
let c: TestCluster;
let dir: string;
let port: number;
let ca: string;
let admin: ApiClient;
const controllers = new AbortController();
let running: Promise<unknown> | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-kbootstrap-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,u-admin,"system:masters"\n');
  port = await freePort();
  c = await startCluster(['--secure-port', String(port), '--cert-dir', join(dir, 'pki'), '--token-auth-file', join(dir, 'tokens.csv'),
    '--authorization-mode', 'Node,RBAC', '--enable-bootstrap-token-auth', '--grpc-insecure', 'false']);
  ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  admin = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { metadata: { authorization: 'Bearer admin-token' }, tls: { ca } });
  const f = new InformerFactory(admin);
  const signing = new CsrSigningController(f, admin, { ca: { cert: ca, key: readFileSync(join(dir, 'pki', 'ca.key'), 'utf8') }, durationMs: 24 * 3600_000 });
  const approving = new CsrApprovingController(f, admin);
  f.start(controllers.signal);
  await f.waitForCacheSync(controllers.signal);
  running = Promise.all([signing.run(1, controllers.signal), approving.run(1, controllers.signal)]);
  await admin.create({ resource: 'secrets', namespace: 'kube-system' }, {
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    data: { 'token-id': b64('abcdef'), 'token-secret': b64('0123456789abcdef'), expiration: b64(new Date(Date.now() + 3600_000).toISOString()), 'usage-bootstrap-authentication': b64('true') },
  });
});
after(async () => {
  controllers.abort();
  await running;
  admin?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A bootstrap kubeconfig as `kubesim join` writes one: HTTPS server, CA, gRPC address, bootstrap token. */
function bootstrapKubeconfig(): string {
  const file = writeKubeconfig(join(dir, 'bootstrap-kubelet.conf'), port, ca, { token: 'abcdef.0123456789abcdef' });
  const kc = JSON.parse(readFileSync(file, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  kc.clusters[0].cluster.extensions = [{ name: 'kubesim.io/grpc-server', extension: `127.0.0.1:${c.grpcPort}` }];
  writeFileSync(file, JSON.stringify(kc));
  return file;
}

test('a kubelet with a bootstrap token gets its client certificate through a CSR and then acts as system:node:<name>', async () => {
  const certDir = join(dir, 'pki-n1');
  const kubeconfig = join(dir, 'kubelet.conf');
  const boot = { kubeconfig, bootstrapKubeconfig: bootstrapKubeconfig(), certDir, nodeName: 'n1', log, signal: controllers.signal, connect: (kc: string) => clientFromFlags({ kubeconfig: kc }) };
  await bootstrapClientCertificate(boot);
  assert.match(readlinkSync(join(certDir, CURRENT_PEM)), /^kubelet-client-\d{8}-\d{6}\.pem$/);
  assert.equal(existsSync(join(certDir, 'kubelet-client.key.tmp')), false);
  const cert = new X509Certificate(readFileSync(join(certDir, CURRENT_PEM)));
  assert.equal(cert.subject, 'O=system:nodes\nCN=system:node:n1');

  const kubelet = clientFromFlags({ kubeconfig });
  try {
    await kubelet.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    await expectApiError(kubelet.create({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } }), 'Forbidden');
    await expectApiError(kubelet.list({ resource: 'secrets', namespace: 'kube-system' }), 'Forbidden');
  } finally {
    kubelet.close();
  }
  const csrs = await kubectlOk(bin, c, ['--kubeconfig', writeKubeconfig(join(dir, 'kc-admin'), port, ca, { token: 'admin-token' }), 'get', 'csr']);
  assert.match(csrs, /^node-csr-\S+\s+\d+s\s+kubernetes\.io\/kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+<none>\s+Approved,Issued$/m);

  // A restarted kubelet keeps its certificate: no second request.
  await bootstrapClientCertificate(boot);
  assert.equal((await admin.list({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests' })).items.length, 1);
  // Without --kubeconfig it is rebuilt from kubelet-client-current.pem.
  rmSync(kubeconfig);
  await bootstrapClientCertificate(boot);
  assert.equal((await admin.list({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests' })).items.length, 1);
  assert.ok(existsSync(kubeconfig));
});

test('--rotate-certificates: a new certificate through a selfnodeclient CSR replaces the current one, and the client keeps working', async () => {
  const certDir = join(dir, 'pki-n1');
  const kubeconfig = join(dir, 'kubelet.conf');
  const before = new X509Certificate(readFileSync(join(certDir, CURRENT_PEM)));
  const kubelet = clientFromFlags({ kubeconfig });
  const stop = new AbortController();
  let first = true;
  // Rotate at once the first time (instead of at 70-90 % of a day), then not again during the test.
  const rotating = rotateClientCertificate({ client: kubelet, certDir, nodeName: 'n1', log, deadline: (cert) => (first ? ((first = false), Date.now()) : Date.parse(cert.validTo)) }, stop.signal);
  try {
    const after = await waitFor('rotated certificate', () => {
      const cert = new X509Certificate(readFileSync(join(certDir, CURRENT_PEM)));
      return cert.serialNumber !== before.serialNumber ? cert : undefined;
    }, { timeoutMs: 20_000 });
    assert.equal(after.subject, before.subject);
    const renewed = (await admin.list({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests' })).items.find((o) => o.metadata?.name?.startsWith('csr-'));
    const spec = renewed?.spec as { username?: string } | undefined;
    assert.equal(spec?.username, 'system:node:n1');
    assert.match(JSON.stringify(renewed?.status), /Auto approving self kubelet client certificate after SubjectAccessReview/);
    // The running client and a new one (which reads the new file) both authenticate.
    await kubelet.get({ resource: 'nodes', name: 'n1' });
    const fresh = clientFromFlags({ kubeconfig });
    try { await fresh.get({ resource: 'nodes', name: 'n1' }); } finally { fresh.close(); }
  } finally {
    stop.abort();
    await rotating;
    kubelet.close();
  }
});

test('an expired client certificate is refused on a connection opened before it expired; a client whose certificate file changed reconnects with the new one', async () => {
  const signer = { cert: ca, key: readFileSync(join(dir, 'pki', 'ca.key'), 'utf8') };
  const issue = (seconds: number) => {
    const key = newPrivateKeyPem();
    const cert = signCsr(signer, parseCsr(createCsr(key, { commonName: 'system:node:n1', organizations: ['system:nodes'] })),
      { usages: ['digital signature', 'client auth'], notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + seconds * 1000) });
    return `${cert}${key}`;
  };
  const pemFile = join(dir, 'short.pem');
  writeFileSync(pemFile, issue(4));
  const kubeconfig = writeKubeconfig(join(dir, 'kc-short'), port, ca, { 'client-certificate': pemFile, 'client-key': pemFile });
  const kc = JSON.parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  kc.clusters[0].cluster.extensions = [{ name: 'kubesim.io/grpc-server', extension: `127.0.0.1:${c.grpcPort}` }];
  writeFileSync(kubeconfig, JSON.stringify(kc));
  const pinned = ApiClient.connect(`127.0.0.1:${c.grpcPort}`, { tls: { ca, cert: readFileSync(pemFile, 'utf8'), key: readFileSync(pemFile, 'utf8') } });
  const watching = clientFromFlags({ kubeconfig });
  try {
    await pinned.get({ resource: 'nodes', name: 'n1' });
    await watching.get({ resource: 'nodes', name: 'n1' });
    writeFileSync(pemFile, issue(3600));
    await waitFor('the short certificate expired', async () => {
      try { await pinned.get({ resource: 'nodes', name: 'n1' }); return undefined; } catch (err) { return (err as Error).message.includes('expired') || undefined; }
    }, { timeoutMs: 15_000 });
    await expectApiError(pinned.get({ resource: 'nodes', name: 'n1' }), 'Unauthorized');
    // The watching client looks at its file every 5 s and then calls over a new connection.
    await waitFor('the watching client reconnected with the new certificate', async () => !!(await watching.get({ resource: 'nodes', name: 'n1' }).catch(() => undefined)), { timeoutMs: 10_000 });
  } finally {
    pinned.close();
    watching.close();
  }
});
