/**
 * csrapproving (kube-controller-manager's sarapprove): approves kubelet client certificate
 * requests (signer kubernetes.io/kube-apiserver-client-kubelet) when the request is a node client
 * certificate — subject system:node:<name> in O=system:nodes, no SANs, client usages — and the
 * requester may create `certificatesigningrequests/nodeclient` (a bootstrapping kubelet) or, when it
 * asks for its own name, `certificatesigningrequests/selfnodeclient` (a kubelet renewing), asked
 * with a SubjectAccessReview. Everything else, kubelet serving certificates included, waits for
 * an administrator (`kubectl certificate approve`).
 */
import type { CertificateSigningRequest } from '../../../lib/api/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { InformerFactory, SharedInformer } from '../../../lib/client/informer.js';
import { clientLog } from '../../../lib/client/log.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { isApiError } from '../../../lib/errors.js';
import { CsrError, type ParsedCsr } from '../../../lib/pki/csr.js';
import { CSR_RESOURCE, KUBELET_CLIENT_SIGNER, condition, hasCondition, kubeletClientProblem, requestOf } from './csr.js';

interface Recognizer { matches(csr: CertificateSigningRequest, x: ParsedCsr): boolean; subresource: string; message: string }

const RECOGNIZERS: Recognizer[] = [
  { matches: (csr, x) => csr.spec?.username === x.commonName, subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' },
  { matches: () => true, subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
];

/** The csrapproving controller. */
export class CsrApprovingController {
  readonly queue = new WorkQueue({ name: 'csrapproving' });
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.csrs = informers.informerFor<CertificateSigningRequest>(CSR_RESOURCE);
    const enqueue = (csr: CertificateSigningRequest) => this.queue.add(csr.metadata!.name!);
    this.csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, csr) => enqueue(csr) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal, (key, err) => clientLog('warn', 'csr approval failed', { csr: key, err: String((err as Error)?.message ?? err) }));
  }

  /** Approves CSR `name` when a recognizer matches and its requester is authorized for it. */
  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(undefined, name);
    if (!csr || csr.spec?.signerName !== KUBELET_CLIENT_SIGNER || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
    let x: ParsedCsr;
    try { x = requestOf(csr); } catch (err) {
      if (err instanceof CsrError) return; // the signer marks it Failed if an admin approves it anyway
      throw err;
    }
    if (kubeletClientProblem(x, csr.spec?.usages ?? [])) return;
    for (const r of RECOGNIZERS) {
      if (!r.matches(csr, x) || !(await this.authorized(csr, r.subresource))) continue;
      const next = structuredClone(csr);
      next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), condition('Approved', 'AutoApproved', r.message)] };
      try {
        await this.client.update({ ...CSR_RESOURCE, subresource: 'approval' }, next);
        clientLog('info', 'csr auto-approved', { csr: name, requester: csr.spec?.username, as: r.subresource });
      } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err;
      }
      return;
    }
  }

  /** SubjectAccessReview: may the CSR's requester create certificatesigningrequests/<subresource>? */
  private async authorized(csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
    const spec = csr.spec ?? {};
    const review = {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
      spec: { user: spec.username, uid: spec.uid, groups: spec.groups, extra: spec.extra, resourceAttributes: { group: CSR_RESOURCE.group, resource: CSR_RESOURCE.resource, subresource, verb: 'create' } },
    } as KObject;
    const res = await this.client.create({ group: 'authorization.k8s.io', resource: 'subjectaccessreviews' }, review);
    return (res.status as { allowed?: boolean } | undefined)?.allowed === true;
  }
}
