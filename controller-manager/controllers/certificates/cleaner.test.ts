import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, type TestControlPlane } from '../../../lib/testing/control-plane.js';
import { waitFor } from '../../../lib/testing/wait.js';
import { InformerFactory } from '../../../lib/client/informer.js';
import { createCsr, newPrivateKeyPem, parseCsr, signCsr } from '../../../lib/pki/csr.js';
import { createCA } from '../../../lib/pki/pki.js';
import type { CertificateSigningRequest } from '../../../lib/api/types.js';
import { CSR_RESOURCE, condition } from './csr.js';
import { CsrCleaner, cleanupDeadline } from './cleaner.js';

let cp: TestControlPlane;
const stop = new AbortController();
before(async () => {
  cp = await startControlPlane();
  const informers = new InformerFactory(cp.client);
  const c = new CsrCleaner(informers, cp.client, { approvedMs: 1000, deniedMs: 1000, pendingMs: 4000 });
  informers.start(stop.signal);
  await informers.waitForCacheSync(stop.signal);
  void c.run(1, stop.signal);
});
after(async () => { stop.abort(); await cp.stop(); });

const key = newPrivateKeyPem();
const request = createCsr(key, { commonName: 'someone' });
const csr = (name: string): CertificateSigningRequest => ({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
  spec: { request: Buffer.from(request).toString('base64'), signerName: 'example.com/s', usages: ['client auth'] },
});
const exists = async (name: string) => !!(await cp.client.get({ ...CSR_RESOURCE, name }).catch(() => undefined));

test('issued and denied CSRs are deleted after their hour, pending ones after their day (shortened here)', async () => {
  const ca = createCA();
  const cert = signCsr(ca, parseCsr(request), { usages: ['client auth'], notBefore: new Date(), notAfter: new Date(Date.now() + 3600_000) });
  let issued = await cp.client.create(CSR_RESOURCE, csr('issued'));
  issued = await cp.client.update({ ...CSR_RESOURCE, subresource: 'approval' }, { ...issued, status: { conditions: [condition('Approved', 'Test', '')] } });
  await cp.client.updateStatus(CSR_RESOURCE, { ...issued, status: { ...issued.status, certificate: Buffer.from(cert).toString('base64') } });
  const denied = await cp.client.create(CSR_RESOURCE, csr('denied'));
  await cp.client.update({ ...CSR_RESOURCE, subresource: 'approval' }, { ...denied, status: { conditions: [condition('Denied', 'Test', '')] } });
  await cp.client.create(CSR_RESOURCE, csr('pending'));
  // Approved without a certificate yet: still pending for the cleaner.
  const waiting = await cp.client.create(CSR_RESOURCE, csr('approved-unsigned'));
  await cp.client.update({ ...CSR_RESOURCE, subresource: 'approval' }, { ...waiting, status: { conditions: [condition('Approved', 'Test', '')] } });

  await waitFor('issued and denied CSRs deleted', async () => !(await exists('issued')) && !(await exists('denied')), { timeoutMs: 10_000 });
  assert.equal(await exists('pending'), true);
  assert.equal(await exists('approved-unsigned'), true);
  await waitFor('pending CSRs deleted after their time', async () => !(await exists('pending')) && !(await exists('approved-unsigned')), { timeoutMs: 10_000 });
});

test('an issued CSR whose certificate has expired is due at once', () => {
  const ca = createCA();
  const expired = signCsr(ca, parseCsr(request), { usages: ['client auth'], notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 60_000) });
  const c: CertificateSigningRequest = { ...csr('x'), metadata: { name: 'x', creationTimestamp: new Date().toISOString() }, status: { conditions: [condition('Approved', 'Test', '')], certificate: Buffer.from(expired).toString('base64') } };
  assert.ok(cleanupDeadline(c) < Date.now());
  assert.ok(cleanupDeadline({ ...c, status: { conditions: c.status!.conditions } }) > Date.now() + 23 * 3600_000);
});
