/**
 * csrsigning (kube-controller-manager's certificate signer): issues the certificate of every
 * approved CertificateSigningRequest for the kubernetes.io signers it serves, with the cluster CA
 * (--cluster-signing-cert-file/--cluster-signing-key-file). Validity: expirationSeconds when given,
 * capped at --cluster-signing-duration and at the CA's own expiry; back-dated 5 minutes for
 * clock skew (a tenth of the lifetime for certificates shorter than 8 hours). A request its signer refuses (wrong subject, usages, SANs) gets a
 * Failed condition with reason SignerValidationFailure and is never signed.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../../lib/client/informer.js';
import { clientLog } from '../../../lib/client/log.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { isApiError } from '../../../lib/errors.js';
import { CsrError, signCsr, type ParsedCsr } from '../../../lib/pki/csr.js';
import type { CertKeyPair } from '../../../lib/pki/pki.js';
import {
  APISERVER_CLIENT_SIGNER, CSR_RESOURCE, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER,
  apiserverClientProblem, condition, hasCondition, kubeletClientProblem, kubeletServingProblem, requestOf,
} from './csr.js';

const SIGNERS: Record<string, (x: ParsedCsr, usages: string[]) => string | undefined> = {
  [KUBELET_CLIENT_SIGNER]: kubeletClientProblem,
  [KUBELET_SERVING_SIGNER]: kubeletServingProblem,
  [APISERVER_CLIENT_SIGNER]: apiserverClientProblem,
};
const BACKDATE_MS = 5 * 60_000;
// Short-lived certificates are back-dated less, so most of their life lies ahead (Kubernetes' "short" policy).
const SHORT_MS = 8 * 3600_000;

/** The signing CA and the longest validity it gives. */
export interface SigningOptions { ca: CertKeyPair; durationMs: number }

/** The csrsigning controller. */
export class CsrSigningController {
  readonly queue = new WorkQueue({ name: 'certificate_signing' });
  private readonly csrs: SharedInformer<CertificateSigningRequest>;
  private readonly caNotAfter: number;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly o: SigningOptions | undefined) {
    this.csrs = informers.informerFor<CertificateSigningRequest>(CSR_RESOURCE);
    this.caNotAfter = o ? Date.parse(new X509Certificate(o.ca.cert).validTo) : 0;
    const enqueue = (csr: CertificateSigningRequest) => this.queue.add(csr.metadata!.name!);
    this.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, csr) => enqueue(csr) });
  }

  /** Runs workers until signal aborts (returns at once without a signing CA). */
  run(workers: number, signal: AbortSignal): Promise<void> {
    if (!this.o) return Promise.resolve();
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal, (key, err) => clientLog('warn', 'csr signing failed', { csr: key, err: String((err as Error)?.message ?? err) }));
  }

  /** Signs CSR `name` when it is approved, not failed, not yet issued and for one of our signers. */
  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!this.o || !csr || csr.status?.certificate || !hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied') || hasCondition(csr, 'Failed')) return;
    const check = SIGNERS[csr.spec?.signerName ?? ''];
    if (!check) return;
    const next = structuredClone(csr);
    const status = (next.status ??= {});
    let x: ParsedCsr | undefined;
    let problem: string | undefined;
    try {
      x = requestOf(csr);
      problem = check(x, csr.spec?.usages ?? []);
    } catch (err) {
      if (!(err instanceof CsrError)) throw err;
      problem = `unable to parse csr "${name}": ${err.message}`;
    }
    if (problem || !x) {
      status.conditions = [...(status.conditions ?? []), condition('Failed', 'SignerValidationFailure', problem ?? 'invalid request')];
    } else {
      const now = Date.now();
      const wanted = csr.spec?.expirationSeconds ? csr.spec.expirationSeconds * 1000 : this.o.durationMs;
      const ttl = Math.min(wanted, this.o.durationMs);
      const notAfter = Math.min(now + ttl, this.caNotAfter);
      const backdate = ttl < SHORT_MS ? Math.min(BACKDATE_MS, ttl / 10) : BACKDATE_MS;
      const pem = signCsr(this.o.ca, x, { usages: csr.spec?.usages ?? [], notBefore: new Date(now - backdate), notAfter: new Date(notAfter) });
      status.certificate = Buffer.from(pem).toString('base64');
    }
    try {
      await this.client.updateStatus(CSR_RESOURCE, next);
      clientLog('info', problem ? 'csr refused by its signer' : 'csr signed', { csr: name, signer: csr.spec?.signerName, ...(problem ? { reason: problem } : {}) });
    } catch (err) {
      // A newer version arrives through the informer and is synced again.
      if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err;
    }
  }
}
