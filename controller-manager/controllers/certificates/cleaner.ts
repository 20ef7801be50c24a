/**
 * csrcleaner (kube-controller-manager's CSR cleaner): deletes CertificateSigningRequests once they
 * have served their purpose — an issued one an hour after it was approved (or at once when its
 * certificate has expired), a denied or failed one an hour after that, a pending one after a day.
 * Each CSR is looked at again when its deadline comes (addAfter), not by polling.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../../lib/client/informer.js';
import { clientLog } from '../../../lib/client/log.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { isApiError } from '../../../lib/errors.js';
import { CSR_RESOURCE } from './csr.js';

/** How long CSRs are kept (Kubernetes' values). */
export interface CleanerTimes { approvedMs: number; deniedMs: number; pendingMs: number }
const DEFAULT_TIMES: CleanerTimes = { approvedMs: 3600_000, deniedMs: 3600_000, pendingMs: 24 * 3600_000 };

function conditionTime(csr: CertificateSigningRequest, type: string): number | undefined {
  const c = (csr.status?.conditions ?? []).find((x) => x.type === type);
  if (!c) return undefined;
  const t = Date.parse(c.lastUpdateTime ?? c.lastTransitionTime ?? csr.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : Date.parse(csr.metadata?.creationTimestamp ?? '');
}

/** When CSR `csr` is due for deletion (ms since epoch). */
export function cleanupDeadline(csr: CertificateSigningRequest, times: CleanerTimes = DEFAULT_TIMES): number {
  const created = Date.parse(csr.metadata?.creationTimestamp ?? '') || Date.now();
  const failed = conditionTime(csr, 'Denied') ?? conditionTime(csr, 'Failed');
  if (failed !== undefined) return failed + times.deniedMs;
  const approved = conditionTime(csr, 'Approved');
  if (approved !== undefined && csr.status?.certificate) {
    let notAfter = Infinity;
    try { notAfter = Date.parse(new X509Certificate(Buffer.from(csr.status.certificate, 'base64')).validTo); } catch { /* unreadable: the hour applies */ }
    return Math.min(approved + times.approvedMs, notAfter);
  }
  return created + times.pendingMs;
}

/** The csrcleaner controller. */
export class CsrCleaner {
  readonly queue = new WorkQueue({ name: 'csrcleaner' });
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly times: CleanerTimes = DEFAULT_TIMES) {
    this.csrs = informers.informerFor<CertificateSigningRequest>(CSR_RESOURCE);
    const enqueue = (csr: CertificateSigningRequest) => this.queue.add(csr.metadata!.name!);
    this.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, csr) => enqueue(csr) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal, (key, err) => clientLog('warn', 'csr cleanup failed', { csr: key, err: String((err as Error)?.message ?? err) }));
  }

  /** Deletes CSR `name` when its deadline has passed; otherwise looks again then. */
  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!csr || csr.metadata?.deletionTimestamp) return;
    const left = cleanupDeadline(csr, this.times) - Date.now();
    if (left > 0) { this.queue.addAfter(name, Math.min(left + 100, 2 ** 31 - 1)); return; }
    try {
      await this.client.delete({ ...CSR_RESOURCE, name }, { preconditions: { uid: csr.metadata?.uid } });
      clientLog('info', 'deleted old certificate signing request', { csr: name });
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
  }
}
