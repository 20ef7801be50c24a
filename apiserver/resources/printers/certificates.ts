/**
 * The table of CertificateSigningRequests as kubectl shows it (printers.go printCertificateSigningRequest):
 * NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION.
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { CertificateSigningRequest } from '../../../lib/api/types.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';
import { humanDuration } from './duration.js';

/** CSR columns. */
export const CSR_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  AGE_COLUMN,
  column('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
  column('Requestor', 'string', 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block.'),
  column('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
  column('Condition', 'string', 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".'),
];

/** The CONDITION cell: Approved/Denied/Pending, then Failed and Issued (extractCSRStatus). */
export function csrCondition(csr: CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (csr.status?.certificate) s += ',Issued';
  return s;
}

/** One CSR row. */
export function csrRow(obj: KObject, now: Date): unknown[] {
  const csr = obj as CertificateSigningRequest;
  const secs = csr.spec?.expirationSeconds;
  return [nameOf(obj), ageOf(obj, now), csr.spec?.signerName || '<none>', csr.spec?.username ?? '', secs ? humanDuration(secs * 1000) : '<none>', csrCondition(csr)];
}
