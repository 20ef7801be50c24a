import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsrError, createCsr, newPrivateKeyPem, parseCsr, signCsr } from './csr.js';
import { createCA, certUser } from './pki.js';

const ca = createCA();
const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000) };

test('an ECDSA CSR with SANs: parsed back, signed, and the certificate carries subject, SANs, usages and the CSR key', () => {
  const key = newPrivateKeyPem();
  const pem = createCsr(key, { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ipAddresses: ['10.200.0.11', '::1'] });
  assert.doesNotMatch(pem, /\r/);
  const x = parseCsr(pem);
  assert.deepEqual([x.commonName, x.organizations, x.dnsNames, x.ipAddresses], ['system:node:n1', ['system:nodes'], ['n1'], ['10.200.0.11', '::1']]);
  const cert = new X509Certificate(signCsr(ca, x, { usages: ['digital signature', 'server auth'], ...window }));
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(key)));
  assert.deepEqual(certUser(cert), { username: 'system:node:n1', groups: ['system:nodes'] });
  assert.equal(cert.subjectAltName, 'DNS:n1, IP Address:10.200.0.11, IP Address:0:0:0:0:0:0:0:1');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(Date.parse(cert.validTo), Math.floor(window.notAfter.getTime() / 1000) * 1000);
});

test('CSRs made by openssl (RSA and EC) parse; ours verify with openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-csr-'));
  try {
    for (const alg of [['-newkey', 'rsa:2048'], ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]) {
      execFileSync('openssl', ['req', '-new', ...alg, '-nodes', '-keyout', join(dir, 'k'), '-subj', '/O=dev/O=ops/CN=jane', '-out', join(dir, 'r')], { stdio: 'ignore' });
      const x = parseCsr(readFileSync(join(dir, 'r'), 'utf8'));
      assert.deepEqual([x.commonName, x.organizations], ['jane', ['dev', 'ops']]);
      assert.ok(new X509Certificate(signCsr(ca, x, { usages: ['client auth'], ...window })).checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'k')))));
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(dir, 'ours'), createCsr(rsa, { commonName: 'bob' }));
    assert.match(execFileSync('openssl', ['req', '-in', join(dir, 'ours'), '-noout', '-verify', '-subject'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), /subject=CN\s?=\s?bob/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CSR whose content was changed after signing, a certificate, or garbage are refused', () => {
  const pem = createCsr(newPrivateKeyPem(), { commonName: 'alice' });
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('alice'));
  der.write('mallo', at);
  const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCsr(tampered), (e: Error) => e instanceof CsrError && /signature verification failed/.test(e.message));
  assert.throws(() => parseCsr(ca.cert), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCsr('hello'), CsrError);
});
