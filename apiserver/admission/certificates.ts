/**
 * The certificates admission plugins of kube-apiserver: CertificateApproval (approving or
 * denying a CSR through /approval needs `approve` on `signers` named after its signerName, or
 * `<domain>/*`), CertificateSigning (setting status.certificate needs `sign` on the signer), and
 * CertificateSubjectRestriction (nobody may ask kubernetes.io/kube-apiserver-client for a
 * system:masters certificate). The authorizer is attached after it is built (it reads this
 * registry), so the plugins hold it by reference and admit everything while it is unset.
 */
import { ApiError } from '../../lib/errors.js';
import type { CertificateSigningRequest } from '../../lib/api/types.js';
import { CsrError, parseCsr } from '../../lib/pki/csr.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';
import type { EscalationDeps } from './rbac-escalation.js';

const GROUP = 'certificates.k8s.io';

function isCsr(a: AdmissionAttributes): boolean {
  return a.ref.group === GROUP && a.ref.resource === 'certificatesigningrequests';
}

function forbidden(a: AdmissionAttributes, message: string): ApiError {
  return new ApiError('Forbidden', `certificatesigningrequests.${GROUP} "${a.name}" is forbidden: ${message}`, { name: a.name, group: GROUP, kind: 'certificatesigningrequests' });
}

/** May the user `verb` the signer (by its name or its `<domain>/*` wildcard)? */
function maySigner(deps: EscalationDeps, a: AdmissionAttributes, verb: string, signerName: string): boolean {
  if (!deps.decide) return true;
  const names = [signerName, `${signerName.split('/')[0]}/*`];
  return names.some((name) => deps.decide!({ user: a.ctx.user, verb, resourceRequest: true, group: GROUP, resource: 'signers', name }).decision === 'allow');
}

function conditionsOf(csr: CertificateSigningRequest | undefined): string {
  return JSON.stringify((csr?.status?.conditions ?? []).filter((c) => c.type === 'Approved' || c.type === 'Denied').map((c) => [c.type, c.status]));
}

/** CertificateApproval, CertificateSigning and CertificateSubjectRestriction. */
export function certificatePlugins(deps: EscalationDeps): AdmissionPlugin[] {
  return [
    {
      name: 'CertificateApproval', type: 'validating',
      admit(a) {
        if (!isCsr(a) || a.operation !== 'UPDATE' || a.subresource !== 'approval') return;
        const before = a.oldObject as CertificateSigningRequest | undefined;
        if (conditionsOf(a.object as CertificateSigningRequest) === conditionsOf(before)) return;
        const signer = before?.spec?.signerName ?? '';
        if (!maySigner(deps, a, 'approve', signer)) throw forbidden(a, `user not permitted to approve requests with signerName "${signer}"`);
      },
    },
    {
      name: 'CertificateSigning', type: 'validating',
      admit(a) {
        if (!isCsr(a) || a.operation !== 'UPDATE' || a.subresource !== 'status') return;
        const before = a.oldObject as CertificateSigningRequest | undefined;
        if ((a.object as CertificateSigningRequest).status?.certificate === before?.status?.certificate) return;
        const signer = before?.spec?.signerName ?? '';
        if (!maySigner(deps, a, 'sign', signer)) throw forbidden(a, `user not permitted to sign requests with signerName "${signer}"`);
      },
    },
    {
      name: 'CertificateSubjectRestriction', type: 'validating',
      admit(a) {
        if (!isCsr(a) || a.operation !== 'CREATE' || a.subresource) return;
        const spec = (a.object as CertificateSigningRequest).spec;
        if (spec?.signerName !== 'kubernetes.io/kube-apiserver-client' || !spec.request) return;
        try {
          if (!parseCsr(Buffer.from(spec.request, 'base64').toString('utf8')).organizations.includes('system:masters')) return;
        } catch (err) {
          if (err instanceof CsrError) return; // validation has already named spec.request
          throw err;
        }
        throw forbidden(a, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
      },
    },
  ];
}
