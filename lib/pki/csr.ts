/**
 * PKCS#10 certificate signing requests, as the kubelet's TLS bootstrap and the controller-manager's
 * csrsigning controller use them: create one for a key (ECDSA P-256 like the kubelet's, or RSA),
 * parse and verify one, and issue the certificate it asks for with the cluster CA.
 * node-forge only speaks RSA keys, so the ASN.1 is assembled with forge.asn1 and every signature
 * is made and checked by node:crypto (any key type Node knows).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import type { CertKeyPair } from './pki.js';

const { asn1 } = forge;
// Parts of node-forge its type definitions leave out.
const forgeUtil = forge.util as unknown as { bytesFromIP(ip: string): string | null; bytesToIP(bytes: string): string };
const forgePki = forge.pki as unknown as { RDNAttributesAsArray(name: forge.asn1.Asn1): { shortName?: string; value: string }[]; getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
const OID = {
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ed25519: '1.3.101.112',
};
const HASH_OF: Record<string, string | null> = {
  [OID.sha256WithRSA]: 'sha256', [OID.sha384WithRSA]: 'sha384', [OID.sha512WithRSA]: 'sha512',
  [OID.ecdsaWithSHA256]: 'sha256', [OID.ecdsaWithSHA384]: 'sha384', [OID.ed25519]: null,
};

/** What a CSR asks for. */
export interface CsrSubject { commonName: string; organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[] }

/** A parsed, signature-checked CSR. */
export interface ParsedCsr extends Required<CsrSubject> { emailAddresses: string[]; publicKey: KeyObject; spkiDer: string }

/** A new private key for a kubelet (ECDSA P-256, as the kubelet's certificate manager), PEM. */
export function newPrivateKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function seq(items: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function algorithmOf(key: KeyObject): { oid: string; hash: string | null; params: boolean } {
  if (key.asymmetricKeyType === 'ec') return { oid: OID.ecdsaWithSHA256, hash: 'sha256', params: false };
  if (key.asymmetricKeyType === 'rsa') return { oid: OID.sha256WithRSA, hash: 'sha256', params: true };
  if (key.asymmetricKeyType === 'ed25519') return { oid: OID.ed25519, hash: null, params: false };
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

function algorithmIdentifier(a: { oid: string; params: boolean }): forge.asn1.Asn1 {
  const items = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(a.oid).getBytes())];
  if (a.params) items.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return seq(items);
}

function subjectName(s: CsrSubject): forge.asn1.Asn1 {
  const attrs = [...(s.organizations ?? []).map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: s.commonName }];
  const cert = forge.pki.createCertificate();
  cert.setSubject(attrs);
  return forge.pki.distinguishedNameToAsn1(cert.subject);
}

function sanExtension(dnsNames: string[], ips: string[]): forge.asn1.Asn1 {
  // GeneralName: [2] dNSName, [7] iPAddress (4 or 16 raw bytes).
  const names = [
    ...dnsNames.map((d) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)),
    ...ips.map((ip) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, Buffer.from(ipBytes(ip)).toString('binary'))),
  ];
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.subjectAltName).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(seq(names)).getBytes()),
  ]);
}

function ipBytes(ip: string): number[] {
  const bytes = forgeUtil.bytesFromIP(ip);
  if (!bytes) throw new Error(`invalid IP address ${ip}`);
  return [...Buffer.from(bytes, 'binary')];
}

function toPem(type: string, der: string): string {
  // forge writes CRLF; PEM files of Kubernetes (and openssl) use LF.
  return forge.pem.encode({ type, body: der }).replace(/\r\n/g, '\n');
}

/** A PEM CSR for `keyPem` asking for `s` (CN = user, O = groups, SANs for serving certificates). */
export function createCsr(keyPem: string, s: CsrSubject): string {
  const key = createPrivateKey(keyPem);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const attributes: forge.asn1.Asn1[] = [];
  if (s.dnsNames?.length || s.ipAddresses?.length) {
    const exts = seq([sanExtension(s.dnsNames ?? [], s.ipAddresses ?? [])]);
    attributes.push(seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID.extensionRequest).getBytes()), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [exts])]));
  }
  const info = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    subjectName(s),
    asn1.fromDer(spki.toString('binary')),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes),
  ]);
  const alg = algorithmOf(key);
  const infoDer = Buffer.from(asn1.toDer(info).getBytes(), 'binary');
  const sig = sign(alg.hash, infoDer, key);
  const csr = seq([info, algorithmIdentifier(alg), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${sig.toString('binary')}`)]);
  return toPem('CERTIFICATE REQUEST', asn1.toDer(csr).getBytes());
}

/** Why a CSR cannot be used: thrown by parseCsr with a message fit for a field error. */
export class CsrError extends Error {}

function oidOf(node: forge.asn1.Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OID) throw new CsrError('malformed ASN.1: expected an OID');
  return asn1.derToOid(node.value as string);
}

function parseSans(extsNode: forge.asn1.Asn1): { dns: string[]; ips: string[]; emails: string[] } {
  const out = { dns: [] as string[], ips: [] as string[], emails: [] as string[] };
  for (const ext of extsNode.value as forge.asn1.Asn1[]) {
    const parts = ext.value as forge.asn1.Asn1[];
    if (oidOf(parts[0]) !== OID.subjectAltName) continue;
    const names = asn1.fromDer(parts[parts.length - 1].value as string).value as forge.asn1.Asn1[];
    for (const n of names) {
      const v = n.value as string;
      if (n.type === 2) out.dns.push(v);
      else if (n.type === 1) out.emails.push(v);
      else if (n.type === 7) out.ips.push(forgeUtil.bytesToIP(v));
    }
  }
  return out;
}

/** Parses and verifies a PEM CSR; throws CsrError saying what is wrong. */
export function parseCsr(pem: string): ParsedCsr {
  let msg: { type: string; body: string };
  try {
    [msg] = forge.pem.decode(pem);
  } catch { throw new CsrError('PEM block type must be CERTIFICATE REQUEST'); }
  if (!msg || msg.type !== 'CERTIFICATE REQUEST') throw new CsrError('PEM block type must be CERTIFICATE REQUEST');
  let csr: forge.asn1.Asn1;
  try { csr = asn1.fromDer(msg.body, { decodeBitStrings: false } as never); } catch (err) { throw new CsrError(`asn1: ${(err as Error).message}`); }
  const [info, algNode, sigNode] = (csr.value as forge.asn1.Asn1[]) ?? [];
  const infoParts = info?.value as forge.asn1.Asn1[] | undefined;
  if (!infoParts || infoParts.length < 3 || !algNode || !sigNode) throw new CsrError('malformed certificate request');
  const spkiDer = asn1.toDer(infoParts[2]).getBytes();
  let publicKey: KeyObject;
  try { publicKey = createPublicKey({ key: Buffer.from(spkiDer, 'binary'), format: 'der', type: 'spki' }); } catch { throw new CsrError('unsupported public key'); }
  const alg = oidOf((algNode.value as forge.asn1.Asn1[])[0]);
  if (!(alg in HASH_OF)) throw new CsrError(`unsupported signature algorithm ${alg}`);
  const sig = Buffer.from((sigNode.value as string).slice(1), 'binary');
  if (!verify(HASH_OF[alg], Buffer.from(asn1.toDer(info).getBytes(), 'binary'), publicKey, sig)) throw new CsrError('signature verification failed');
  const attrs = forgePki.RDNAttributesAsArray(infoParts[1]);
  let sans = { dns: [] as string[], ips: [] as string[], emails: [] as string[] };
  for (const attr of (infoParts[3]?.value as forge.asn1.Asn1[] | undefined) ?? []) {
    const [oid, set] = attr.value as forge.asn1.Asn1[];
    if (oidOf(oid) === OID.extensionRequest) sans = parseSans((set.value as forge.asn1.Asn1[])[0]);
  }
  return {
    commonName: attrs.find((a) => a.shortName === 'CN')?.value ?? '',
    organizations: attrs.filter((a) => a.shortName === 'O').map((a) => a.value),
    dnsNames: sans.dns, ipAddresses: sans.ips, emailAddresses: sans.emails, publicKey, spkiDer,
  };
}

/** Kubernetes key usages a certificate can carry (certificates.k8s.io KeyUsage). */
const KEY_USAGE_FLAGS: Record<string, string> = {
  'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation', 'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment', 'cert sign': 'keyCertSign', 'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};
const EXT_USAGE_FLAGS: Record<string, string> = {
  'server auth': 'serverAuth', 'client auth': 'clientAuth', 'code signing': 'codeSigning', 'email protection': 'emailProtection', 'timestamping': 'timeStamping',
};

/** How to sign: usages as the CSR's spec lists them, validity window. */
export interface SignOptions { usages: string[]; notBefore: Date; notAfter: Date }

/**
 * The certificate for `csr` signed by `ca` (PEM): the CSR's subject, SANs and public key, the
 * usages asked for, issued by the CA's subject. The CA key must be RSA (as lib/pki's CA).
 */
export function signCsr(ca: CertKeyPair, csr: ParsedCsr, o: SignOptions): string {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = caCert.publicKey; // a stand-in: the CSR's key replaces it in the DER below
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  cert.setSubject([...csr.organizations.map((v) => ({ name: 'organizationName', value: v })), { name: 'commonName', value: csr.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const keyUsage: Record<string, unknown> = { name: 'keyUsage', critical: true };
  const extUsage: Record<string, unknown> = { name: 'extKeyUsage' };
  for (const u of o.usages) {
    if (KEY_USAGE_FLAGS[u]) keyUsage[KEY_USAGE_FLAGS[u]] = true;
    if (EXT_USAGE_FLAGS[u]) extUsage[EXT_USAGE_FLAGS[u]] = true;
  }
  const exts: Record<string, unknown>[] = [{ name: 'basicConstraints', cA: false, critical: true }, keyUsage];
  if (Object.keys(extUsage).length > 1) exts.push(extUsage);
  const altNames = [...csr.dnsNames.map((value) => ({ type: 2, value })), ...csr.ipAddresses.map((ip) => ({ type: 7, ip })), ...csr.emailAddresses.map((value) => ({ type: 1, value }))];
  if (altNames.length) exts.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(exts as never[]);
  const caKey = createPrivateKey(ca.key);
  const alg = algorithmOf(caKey);
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = alg.oid;
  cert.signatureOid = alg.oid;
  const tbs = forgePki.getTBSCertificate(cert);
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  (tbs.value as forge.asn1.Asn1[])[6] = asn1.fromDer(csr.spkiDer, { decodeBitStrings: false } as never);
  const tbsDer = asn1.toDer(tbs).getBytes();
  const sig = sign(alg.hash, Buffer.from(tbsDer, 'binary'), caKey);
  const out = seq([tbs, algorithmIdentifier(alg), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${sig.toString('binary')}`)]);
  return toPem('CERTIFICATE', asn1.toDer(out).getBytes());
}
