/**
 * What the certificate controllers share: the well-known signers, a CSR's state from its
 * conditions, and the checks a kubelet's client or serving request must pass
 * (k8s.io/kubernetes pkg/apis/certificates ValidateKubeletClientCSR / ValidateKubeletServingCSR).
 */
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../../lib/api/types.js';
import { CsrError, parseCsr, type ParsedCsr } from '../../../lib/pki/csr.js';

/** The kubelet's client certificate signer. */
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The kubelet's serving certificate signer. */
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
/** Client certificates for any user of the apiserver. */
export const APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

/** The CSR resource for ApiClient calls. */
export const CSR_RESOURCE = { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' };

/** True when the CSR carries a condition of `type` with status True. */
export function hasCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && (c.status ?? 'True') === 'True');
}

/** A new condition stamped now. */
export function condition(type: string, reason: string, message: string): CertificateSigningRequestCondition {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { type, status: 'True', reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/** The PEM request of a CSR, parsed and signature-checked (CsrError when it is not usable). */
export function requestOf(csr: CertificateSigningRequest): ParsedCsr {
  if (!csr.spec?.request) throw new CsrError('spec.request is empty');
  return parseCsr(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
}

function usagesFit(usages: string[], required: string, allowed: string[]): string | undefined {
  if (!usages.includes(required)) return `usages did not contain required usage "${required}"`;
  const extra = usages.filter((u) => !allowed.includes(u));
  return extra.length ? `usages did not match ${JSON.stringify(allowed)}: unexpected ${JSON.stringify(extra)}` : undefined;
}

function nodeSubject(x: ParsedCsr): string | undefined {
  if (x.organizations.length !== 1 || x.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!x.commonName.startsWith('system:node:') || x.commonName.length === 'system:node:'.length) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** Why a kubelet client CSR is not acceptable, or undefined when it is. */
export function kubeletClientProblem(x: ParsedCsr, usages: string[]): string | undefined {
  const subject = nodeSubject(x);
  if (subject) return subject;
  if (x.dnsNames.length) return 'dnsNames are not allowed';
  if (x.emailAddresses.length) return 'email addresses are not allowed';
  if (x.ipAddresses.length) return 'IP addresses are not allowed';
  return usagesFit(usages, 'client auth', ['digital signature', 'key encipherment', 'client auth']);
}

/** Why a kubelet serving CSR is not acceptable, or undefined when it is. */
export function kubeletServingProblem(x: ParsedCsr, usages: string[]): string | undefined {
  const subject = nodeSubject(x);
  if (subject) return subject;
  if (x.emailAddresses.length) return 'email addresses are not allowed';
  if (!x.dnsNames.length && !x.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  return usagesFit(usages, 'server auth', ['digital signature', 'key encipherment', 'server auth']);
}

/** Why an apiserver client CSR is not acceptable, or undefined when it is. */
export function apiserverClientProblem(_x: ParsedCsr, usages: string[]): string | undefined {
  return usagesFit(usages, 'client auth', ['digital signature', 'key encipherment', 'client auth']);
}
