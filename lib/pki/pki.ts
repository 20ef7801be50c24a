/**
 * A small certificate authority for the cluster (what kubeadm's certs phase does): a self-signed
 * CA, serving certificates with DNS/IP SANs, client certificates whose CN is the user and O the
 * groups. Keys come from node:crypto; node-forge only assembles and signs the X.509 structures
 * (Node has no API to create certificates).
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate and its private key, both PEM. */
export interface CertKeyPair { cert: string; key: string }

/** What a leaf certificate is for. */
export interface CertRequest {
  commonName: string;
  /** Subject O entries: Kubernetes reads them as the user's groups. */
  organizations?: string[];
  /** DNS names and IP addresses for a serving certificate (SANs). */
  hosts?: string[];
  usage: 'server' | 'client' | 'both';
  /** Validity in days (default 365). */
  days?: number;
}

function newKeyPem(): string {
  // 2048-bit RSA: what kubeadm uses by default and every TLS client accepts.
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function serial(): string {
  // Positive 128-bit serial: the high bit cleared so DER does not read it as negative.
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function subject(cn: string, orgs: string[] = []): forge.pki.CertificateField[] {
  return [...orgs.map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: cn }];
}

function baseCert(keyPem: string, days: number): forge.pki.Certificate {
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  cert.serialNumber = serial();
  // Back-date a little: clocks of nodes and the apiserver are never exactly equal.
  cert.validity.notBefore = new Date(Date.now() - 5 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  return cert;
}

/** A new self-signed CA (CN `kubernetes` by default, 10 years). */
export function createCA(commonName = 'kubernetes', days = 3650): CertKeyPair {
  const key = newKeyPem();
  const cert = baseCert(key, days);
  cert.setSubject(subject(commonName));
  cert.setIssuer(subject(commonName));
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key };
}

function altNames(hosts: string[]): { type: number; value?: string; ip?: string }[] {
  // GeneralName types: 2 = dNSName, 7 = iPAddress.
  return hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
}

/** Issues a leaf certificate signed by `ca`. */
export function issueCert(ca: CertKeyPair, req: CertRequest): CertKeyPair {
  if (!req.commonName) throw new Error('certificate request needs a commonName');
  const key = newKeyPem();
  const cert = baseCert(key, req.days ?? 365);
  const caCert = forge.pki.certificateFromPem(ca.cert);
  cert.setSubject(subject(req.commonName, req.organizations));
  cert.setIssuer(caCert.subject.attributes);
  const server = req.usage !== 'client';
  const client = req.usage !== 'server';
  const ext: unknown[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: server, clientAuth: client },
  ];
  if (req.hosts?.length) ext.push({ name: 'subjectAltName', altNames: altNames(req.hosts) });
  cert.setExtensions(ext as never[]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key };
}

/** The user a client certificate names: CN is the username, each O a group (as Kubernetes). */
export function certUser(cert: X509Certificate | string): { username: string; groups: string[] } {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  const fields = x.subject.split('\n').map((l) => l.split('=')).filter((kv) => kv.length >= 2);
  const value = (kv: string[]) => kv.slice(1).join('=');
  const username = value(fields.find((kv) => kv[0] === 'CN') ?? ['CN', '']);
  return { username, groups: fields.filter((kv) => kv[0] === 'O').map(value) };
}
