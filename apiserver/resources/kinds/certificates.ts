/**
 * certificates.k8s.io/v1 CertificateSigningRequest, as Kubernetes' certificates registry strategy:
 * the requester (username, uid, groups, extra) is filled in from the authenticated user on create;
 * the spec never changes after that; Approved/Denied conditions change only through `/approval`,
 * the issued certificate only through `/status`, and once set it stays.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { UserInfo } from '../../registry/types.js';
import type { KindBehaviour } from '../define.js';
import { CsrError, parseCsr } from '../../../lib/pki/csr.js';
import { duplicate, forbidden, invalidValue, notSupported, required } from '../common/field.js';
import { CSR_COLUMNS, csrRow } from '../printers/certificates.js';
import { nameIsPathSegment } from '../common/meta.js';

/** Key usages Kubernetes knows (certificates/v1 KeyUsage). */
export const KEY_USAGES = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user',
  'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc'];
const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];
// Kubernetes: a DNS-1123 subdomain, a '/', then a path of DNS-1123-ish segments.
const SIGNER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?(\/[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)*$/;
const MIN_EXPIRATION_SECONDS = 600;

type Csr = CertificateSigningRequest;

/** The PEM text of a base64 []byte field, or undefined when it is not base64. */
export function pemOf(b64: string | undefined): string | undefined {
  if (!b64) return undefined;
  if (!/^[A-Za-z0-9+/=\s]*$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

function validateSpec(csr: Csr): FieldError[] {
  const spec = csr.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.request) errs.push(required('spec.request'));
  else {
    const pem = pemOf(spec.request);
    if (pem === undefined) errs.push(invalidValue('spec.request', spec.request, 'must be base64 encoded'));
    else {
      try { parseCsr(pem); } catch (err) {
        if (!(err instanceof CsrError)) throw err;
        errs.push(invalidValue('spec.request', '[]byte{...}', err.message));
      }
    }
  }
  if (!spec.signerName) errs.push(required('spec.signerName'));
  else if (!SIGNER_NAME.test(spec.signerName) || spec.signerName.length > 571) {
    errs.push(invalidValue('spec.signerName', spec.signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
  }
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(invalidValue('spec.expirationSeconds', spec.expirationSeconds, `may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds (10 minutes)`));
  }
  if (!spec.usages?.length) errs.push(required('spec.usages'));
  const seen = new Set<string>();
  (spec.usages ?? []).forEach((u, i) => {
    if (!KEY_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    else if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  return errs;
}

function validateConditions(csr: Csr): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push(required(`${p}.type`));
    else if (CONDITION_TYPES.includes(c.type) && seen.has(c.type)) errs.push(duplicate(`${p}.type`, c.type));
    if (c.type) seen.add(c.type);
    if (!c.status) errs.push(required(`${p}.status`));
    else if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, CONDITION_STATUSES));
  });
  if (seen.has('Approved') && seen.has('Denied')) errs.push(invalidValue('status.conditions', csr.status?.conditions, 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

function conditionOf(csr: Csr, type: string): CertificateSigningRequestCondition | undefined {
  return (csr.status?.conditions ?? []).find((c) => c.type === type);
}

/** Approved/Denied/Failed may be added but never removed or changed, by any subresource. */
function validateConditionsKept(csr: Csr, old: Csr, approvalTypes: 'changeable' | 'frozen'): FieldError[] {
  const errs: FieldError[] = [];
  for (const type of CONDITION_TYPES) {
    const before = conditionOf(old, type);
    const after = conditionOf(csr, type);
    if (before && !after) errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${type}"`));
    else if (before && after && before.status !== after.status) errs.push(forbidden('status.conditions', `updates may not modify a condition of type "${type}"`));
    else if (!before && after && type !== 'Failed' && approvalTypes === 'frozen') errs.push(forbidden('status.conditions', `updates may not add a condition of type "${type}"`));
  }
  return errs;
}

function validateCertificate(csr: Csr, old: Csr): FieldError[] {
  const cert = csr.status?.certificate;
  const before = old.status?.certificate;
  if (before && cert !== before) return [forbidden('status.certificate', 'updates may not modify existing certificate content')];
  if (!cert || cert === before) return [];
  const pem = pemOf(cert);
  if (!pem || !/-----BEGIN CERTIFICATE-----/.test(pem)) return [invalidValue('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
  if (conditionOf(csr, 'Denied')) return [forbidden('status.certificate', 'certificate cannot be set if the request is denied')];
  if (conditionOf(csr, 'Approved')?.status !== 'True') return [forbidden('status.certificate', 'certificate can only be set if the request is approved')];
  return [];
}

/** lastUpdateTime / lastTransitionTime of new or changed conditions (populateConditionTimestamps). */
function stampConditions(csr: Csr, old: Csr | undefined): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const c of csr.status?.conditions ?? []) {
    c.status ??= 'True';
    const before = old && conditionOf(old, c.type ?? '');
    if (!c.lastUpdateTime) c.lastUpdateTime = before?.lastUpdateTime ?? now;
    if (!c.lastTransitionTime) c.lastTransitionTime = before && before.status === c.status ? (before.lastTransitionTime ?? now) : now;
  }
}

/** The requester of a CSR, as the apiserver records it from the authenticated user. */
function fillRequester(csr: Csr, user: UserInfo | undefined): void {
  const spec = (csr.spec ??= {});
  delete spec.username; delete spec.uid; delete spec.groups; delete spec.extra;
  if (!user) return;
  spec.username = user.username;
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length) spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
}

/** CertificateSigningRequest behaviour. */
export const certificateSigningRequests: KindBehaviour = {
  // Kubernetes checks CSR names only as path segments (kubelets post node-csr-<base64url>).
  nameRule: nameIsPathSegment,
  prepareForCreate(obj, user) {
    delete obj.status;
    fillRequester(obj as Csr, user);
  },
  validateCreate: (obj) => validateSpec(obj as Csr),
  // The spec is immutable and status has its own subresources: a main-resource update keeps both, as Kubernetes.
  prepareForUpdate(obj, old) {
    obj.spec = structuredClone(old.spec);
    if (old.status === undefined) delete obj.status; else obj.status = structuredClone(old.status);
  },
  prepareSubresourceUpdate(subresource, obj, old) {
    obj.spec = structuredClone(old.spec);
    const csr = obj as Csr;
    if (subresource === 'approval') {
      // /approval changes conditions only; the certificate stays what /status made it.
      const cert = (old as Csr).status?.certificate;
      csr.status ??= {};
      if (cert) csr.status.certificate = cert; else delete csr.status.certificate;
    }
    stampConditions(csr, old as Csr);
  },
  validateSubresourceUpdate(subresource, obj, old) {
    const csr = obj as Csr;
    const errs = validateConditions(csr);
    errs.push(...validateConditionsKept(csr, old as Csr, subresource === 'approval' ? 'changeable' : 'frozen'));
    if (subresource === 'status') errs.push(...validateCertificate(csr, old as Csr));
    return errs;
  },
  fieldValues: (obj) => ({ 'spec.signerName': (obj as Csr).spec?.signerName ?? '' }),
  tableColumns: CSR_COLUMNS,
  tableRow: csrRow,
};
