/**
 * The apiserver's gRPC port with HTTPS on: TLS with the serving certificate of the HTTPS port.
 * A plaintext client is refused, a client trusting another CA refuses the server, a client
 * certificate of the cluster CA authenticates as CN/O (authorized by RBAC as on REST), one of
 * another CA does not, and a component's kubeconfig (CA + client certificate) is all it needs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/testing/ports.js';
import { waitFor } from '../../lib/testing/wait.js';
import { createCA, issueCert, type CertKeyPair } from '../../lib/pki/pki.js';
import { ApiClient, type ClientTls } from '../../lib/client/api-client.js';
import { clientFromFlags } from '../../lib/client/flags.js';
import { writeKubeconfig } from '../../cli/cluster/kubeconfig.js';
import { startCluster, type TestCluster } from '../apiserver/harness.js';

let c: TestCluster;
let dir: string;
let ca: CertKeyPair;
const clients: ApiClient[] = [];
const secrets = { resource: 'secrets', namespace: 'default' };

function connect(tls: ClientTls | undefined, token?: string, target = `127.0.0.1:${c.grpcPort}`): ApiClient {
  const client = ApiClient.connect(target, { timeoutMs: 5000, ...(tls ? { tls } : {}), ...(token ? { metadata: { authorization: `Bearer ${token}` } } : {}) });
  clients.push(client);
  return client;
}
const code = (want: string) => (e: Error & { code?: string }) => { assert.equal(e.code, want, e.message); return true; };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ksimt-grpctls-'));
  writeFileSync(join(dir, 'tokens.csv'), 'jane-token,jane,u-jane,"dev"\n');
  const securePort = await freePort();
  c = await startCluster(['--secure-port', String(securePort), '--cert-dir', join(dir, 'pki'), '--authorization-mode', 'Node,RBAC',
    '--token-auth-file', join(dir, 'tokens.csv'), '--grpc-insecure', 'false']);
  ca = { cert: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'pki', 'ca.key'), 'utf8') };
});
after(async () => {
  for (const cl of clients) cl.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the TLS gRPC port refuses a plaintext client and a client that trusts another CA', async () => {
  const admin = { ca: ca.cert, cert: readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), key: readFileSync(join(dir, 'pki', 'admin.key'), 'utf8') };
  // The right CA and the admin's certificate work (so the refusals below are about TLS alone).
  assert.equal((await connect(admin).list(secrets)).kind, 'SecretList');
  await assert.rejects(connect(undefined, 'jane-token').list(secrets), code('Unavailable'));
  const other = createCA('not-the-cluster');
  await assert.rejects(connect({ ca: other.cert }, 'jane-token').list(secrets), code('Unavailable'));
});

test('a client certificate of the cluster CA authenticates as CN (O = groups) and RBAC decides as on REST', async () => {
  const jane = issueCert(ca, { commonName: 'jane-cert', organizations: ['dev'], usage: 'client' });
  const client = connect({ ca: ca.cert, cert: jane.cert, key: jane.key });
  await assert.rejects(client.list(secrets), (e: Error & { code?: string }) => e.code === 'Forbidden' && /User "jane-cert" cannot list resource "secrets" in API group "" in the namespace "default"/.test(e.message));
  // Bind the group from the certificate's O: the same user is then allowed.
  const admin = connect({ ca: ca.cert, cert: readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), key: readFileSync(join(dir, 'pki', 'admin.key'), 'utf8') });
  await admin.create({ group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'default' }, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ksimt-dev-view', namespace: 'default' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev' }],
  });
  try {
    await waitFor('the binding takes effect over gRPC', async () => (await client.list(secrets).catch(() => undefined))?.kind === 'SecretList', { timeoutMs: 10_000 });
    // A token still works over TLS (jane-token is also in group dev).
    assert.equal((await connect({ ca: ca.cert }, 'jane-token').list(secrets)).kind, 'SecretList');
    // A certificate from another CA is not an identity (and without a token that is 401).
    const stranger = createCA('stranger');
    const forged = issueCert(stranger, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
    await assert.rejects(connect({ ca: ca.cert, cert: forged.cert, key: forged.key }).list(secrets), code('Unauthorized'));
    await assert.rejects(connect({ ca: ca.cert }).list(secrets), code('Unauthorized'));
  } finally {
    await admin.delete({ group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'default', name: 'ksimt-dev-view' });
  }
});

test('a component kubeconfig (CA + client certificate, gRPC extension) connects over TLS; several addresses verify kubernetes.default.svc', async () => {
  const sched = issueCert(ca, { commonName: 'system:kube-scheduler', usage: 'client' });
  const kc = join(dir, 'scheduler.kubeconfig');
  writeKubeconfig(kc, 'ksimt', 'https://127.0.0.1:1', `127.0.0.1:${c.grpcPort}`, { caCert: ca.cert, clientCert: sched.cert, clientKey: sched.key });
  const client = clientFromFlags({ kubeconfig: kc });
  clients.push(client);
  assert.equal((await client.list({ resource: 'nodes' })).kind, 'NodeList');
  // system:kube-scheduler may not read secrets: the certificate's identity is what is authorized.
  await assert.rejects(client.create({ resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ksimt-nope' } }),
    (e: Error & { code?: string }) => e.code === 'Forbidden' && /User "system:kube-scheduler" cannot create resource "namespaces"/.test(e.message));
  const ha = clientFromFlags({ kubeconfig: kc, grpcServer: `127.0.0.1:${c.grpcPort},127.0.0.1:${c.grpcPort}` });
  clients.push(ha);
  assert.equal((await ha.list({ resource: 'nodes' })).kind, 'NodeList');
});
