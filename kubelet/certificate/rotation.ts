/**
 * Client certificate rotation (the kubelet's --rotate-certificates): at a jittered 70–90 % of the
 * current certificate's lifetime the kubelet makes a new key and asks for a new certificate with
 * a CSR, authenticated by the certificate it still has (system:node:<name>, which csrapproving
 * approves as selfnodeclient). The new pair replaces kubelet-client-current.pem; the gRPC client
 * re-reads that file, so new connections present the new certificate. A failed attempt is
 * retried with backoff while the old certificate is still valid.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../../lib/client/api-client.js';
import { newPrivateKeyPem } from '../../lib/pki/csr.js';
import type { Logger } from '../runtime/log.js';
import { CURRENT_PEM, requestClientCertificate, storeClientCert } from './bootstrap.js';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 5 * 60_000;

/** When to rotate a certificate: a random point between 70 % and 90 % of its lifetime (Kubernetes' jitteryDuration). */
export function rotationDeadline(cert: X509Certificate, random = Math.random()): number {
  const from = Date.parse(cert.validFrom);
  const total = Date.parse(cert.validTo) - from;
  return from + total * (0.7 + 0.2 * random);
}

/** Rotates <certDir>/kubelet-client-current.pem until `signal` aborts. */
export async function rotateClientCertificate(o: { client: ApiClient; certDir: string; nodeName: string; log: Logger; deadline?: (cert: X509Certificate) => number }, signal: AbortSignal): Promise<void> {
  const deadline = o.deadline ?? ((cert: X509Certificate) => rotationDeadline(cert));
  const file = join(o.certDir, CURRENT_PEM);
  let retryMs = RETRY_MIN_MS;
  while (!signal.aborted) {
    let wait: number;
    try {
      const cert = new X509Certificate(readFileSync(file, 'utf8'));
      wait = Math.max(0, deadline(cert) - Date.now());
      o.log.info('client certificate rotation scheduled', { expires: new Date(cert.validTo).toISOString(), rotateInSeconds: Math.round(wait / 1000) });
    } catch (err) {
      o.log.warn('client certificate unreadable; rotation waits', { file, err: (err as Error).message });
      wait = retryMs;
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
    try { await sleep(wait, undefined, { signal }); } catch { return; }
    try {
      const keyPem = newPrivateKeyPem();
      const certPem = await requestClientCertificate({ client: o.client, nodeName: o.nodeName, keyPem, log: o.log, signal, generateName: 'csr-' });
      storeClientCert(o.certDir, certPem, keyPem);
      o.log.info('client certificate rotated', { expires: new Date(new X509Certificate(certPem).validTo).toISOString() });
      retryMs = RETRY_MIN_MS;
    } catch (err) {
      if (signal.aborted) return;
      o.log.warn('client certificate rotation failed; retrying', { err: (err as Error).message, retryInSeconds: Math.round(retryMs / 1000) });
      try { await sleep(retryMs, undefined, { signal }); } catch { return; }
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  }
}
