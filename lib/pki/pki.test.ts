import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certUser, createCA, issueCert } from './pki.js';
import { ensureClusterPki, ensureKubeletClient } from './cluster.js';

test('CA signs server and client certificates Node verifies; CN/O read back as user/groups', () => {
  const ca = createCA('test-ca');
  const caX = new X509Certificate(ca.cert);
  assert.ok(caX.ca);
  const server = new X509Certificate(issueCert(ca, { commonName: 'kube-apiserver', hosts: ['10.96.0.1', 'kubernetes.default', '127.0.0.1'], usage: 'server' }).cert);
  assert.ok(server.checkIssued(caX));
  assert.ok(server.verify(caX.publicKey));
  assert.match(server.subjectAltName ?? '', /IP Address:10\.96\.0\.1/);
  assert.match(server.subjectAltName ?? '', /DNS:kubernetes\.default/);
  assert.ok(server.checkIP('127.0.0.1'));
  const other = new X509Certificate(createCA('other').cert);
  assert.equal(server.verify(other.publicKey), false);
  const client = issueCert(ca, { commonName: 'jane', organizations: ['dev', 'ops'], usage: 'client' });
  assert.deepEqual(certUser(client.cert), { username: 'jane', groups: ['dev', 'ops'] });
  assert.throws(() => issueCert(ca, { commonName: '', usage: 'client' }), /commonName/);
});

test('mutual TLS: the CA-signed client is authorized, a client of another CA is not', async (t) => {
  const ca = createCA();
  const srv = issueCert(ca, { commonName: 'srv', hosts: ['127.0.0.1'], usage: 'server' });
  const good = issueCert(ca, { commonName: 'alice', organizations: ['system:masters'], usage: 'client' });
  const rogueCa = createCA();
  const bad = issueCert(rogueCa, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' });
  const server = createServer({ cert: srv.cert, key: srv.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, (s: TLSSocket) => {
    s.end(s.authorized ? `ok:${certUser(s.getPeerX509Certificate()!).username}` : `no:${s.authorizationError}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const ask = (pair: { cert: string; key: string }) => new Promise<string>((resolve, reject) => {
    const c = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: pair.cert, key: pair.key }, () => undefined);
    let out = '';
    c.on('data', (d) => { out += d; }).on('end', () => resolve(out)).on('error', reject);
  });
  assert.equal(await ask(good), 'ok:alice');
  assert.match(await ask(bad), /^no:/);
});

test('ensureClusterPki creates once and reuses; keys are 0600', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = ensureClusterPki(join(dir, 'pki'), ['10.96.0.1', '192.0.2.10']);
  const again = ensureClusterPki(join(dir, 'pki'), ['10.96.0.1']);
  assert.equal(again.ca.cert, first.ca.cert);
  assert.equal(again.apiserver.cert, first.apiserver.cert);
  assert.ok(new X509Certificate(first.apiserver.cert).checkIP('192.0.2.10'));
  assert.deepEqual(certUser(first.clients.admin.cert), { username: 'kubernetes-admin', groups: ['system:masters'] });
  assert.equal(statSync(join(dir, 'pki', 'ca.key')).mode & 0o777, 0o600);
  assert.deepEqual(certUser(ensureKubeletClient(join(dir, 'pki'), 'node-1').cert), { username: 'system:node:node-1', groups: ['system:nodes'] });
});
