/**
 * Kubelet TLS bootstrapping (the kubelet's --bootstrap-kubeconfig, --cert-dir): when --kubeconfig
 * has no usable client certificate, the kubelet makes a key, asks for a certificate with a
 * CertificateSigningRequest (signer kubernetes.io/kube-apiserver-client-kubelet, subject
 * system:node:<name> in system:nodes) authenticated by the bootstrap kubeconfig's token, waits
 * until it is approved and signed, stores it as <cert-dir>/kubelet-client-current.pem (a symlink
 * to kubelet-client-<timestamp>.pem holding certificate and key) and writes --kubeconfig to use it.
 * The key waits in kubelet-client.key.tmp until then, so a restarted kubelet finds its own CSR again.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { CertificateSigningRequest } from '../../lib/api/types.js';
import { isApiError } from '../../lib/errors.js';
import { createCsr, newPrivateKeyPem } from '../../lib/pki/csr.js';
import type { Logger } from '../runtime/log.js';

/** The CSR resource. */
export const CSR_RESOURCE = { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' };
const SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** The file name of the current client certificate + key in --cert-dir. */
export const CURRENT_PEM = 'kubelet-client-current.pem';
const PENDING_KEY = 'kubelet-client.key.tmp';
const POLL_MS = 500;

interface KubeconfigUser { token?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; 'client-key'?: string; 'client-key-data'?: string }
interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user?: string } }[];
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: KubeconfigUser }[];
}

function readKubeconfig(path: string): Kubeconfig {
  return parseYaml(readFileSync(path, 'utf8')) as Kubeconfig;
}

function currentUser(kc: Kubeconfig): KubeconfigUser | undefined {
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  return kc.users?.find((u) => u.name === ctx?.user)?.user;
}

/** The certificate in a PEM, or undefined when there is none or it is unreadable. */
function certOf(pem: string | undefined): X509Certificate | undefined {
  if (!pem) return undefined;
  try { return new X509Certificate(pem); } catch { return undefined; }
}

/** True when the certificate is valid now (and for at least another minute). */
export function certUsable(cert: X509Certificate | undefined, now = Date.now()): cert is X509Certificate {
  return !!cert && Date.parse(cert.validFrom) <= now + 60_000 && Date.parse(cert.validTo) > now + 60_000;
}

/** The client certificate a kubeconfig names, when it has one that is valid now. */
export function kubeconfigClientCert(path: string): X509Certificate | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const user = currentUser(readKubeconfig(path));
    const file = user?.['client-certificate'];
    const pem = user?.['client-certificate-data'] ? Buffer.from(user['client-certificate-data'], 'base64').toString('utf8')
      : file ? readFileSync(isAbsolute(file) ? file : join(dirname(path), file), 'utf8') : undefined;
    const cert = certOf(pem);
    return certUsable(cert) ? cert : undefined;
  } catch { return undefined; }
}

/** Writes a file atomically (temp + rename). */
function writeAtomic(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/**
 * Stores a new certificate + key as kubelet-client-<timestamp>.pem and points
 * kubelet-client-current.pem at it (an atomic symlink swap, as the kubelet's file store).
 */
export function storeClientCert(certDir: string, certPem: string, keyPem: string): string {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const name = `kubelet-client-${stamp}.pem`;
  writeAtomic(join(certDir, name), `${certPem.trim()}\n${keyPem.trim()}\n`);
  const link = join(certDir, `${CURRENT_PEM}.tmp-${process.pid}`);
  rmSync(link, { force: true });
  symlinkSync(name, link);
  renameSync(link, join(certDir, CURRENT_PEM));
  return join(certDir, CURRENT_PEM);
}

/** Writes --kubeconfig: the bootstrap kubeconfig's cluster, the certificate file as the user. */
export function writeCertKubeconfig(path: string, bootstrapKubeconfig: string, pemFile: string): void {
  const boot = readKubeconfig(bootstrapKubeconfig);
  const ctx = boot.contexts?.find((c) => c.name === boot['current-context'])?.context ?? boot.contexts?.[0]?.context;
  const cluster = structuredClone(boot.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? boot.clusters?.[0]?.cluster ?? {});
  // A CA given as a file relative to the bootstrap kubeconfig must still be found from the new one.
  const caFile = cluster['certificate-authority'];
  if (typeof caFile === 'string' && !isAbsolute(caFile)) cluster['certificate-authority'] = join(dirname(bootstrapKubeconfig), caFile);
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, stringifyYaml({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'default-context',
    clusters: [{ name: 'default-cluster', cluster }],
    contexts: [{ name: 'default-context', context: { cluster: 'default-cluster', namespace: 'default', user: 'default-auth' } }],
    users: [{ name: 'default-auth', user: { 'client-certificate': pemFile, 'client-key': pemFile } }],
  }));
}

/** What requesting a client certificate needs. */
export interface RequestOptions { client: ApiClient; nodeName: string; keyPem: string; log: Logger; signal: AbortSignal; name?: string; generateName?: string }

/** The deterministic CSR name of a key and node (so a restarted kubelet finds its pending request). */
export function csrNameFor(keyPem: string, nodeName: string): string {
  const spki = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return `node-csr-${createHash('sha256').update(spki).update(nodeName).digest('base64url').slice(0, 43)}`;
}

/**
 * Posts a CSR for system:node:<name> and waits until it carries a certificate; throws when it is
 * denied or fails, or when `signal` aborts. Returns the certificate PEM.
 */
export async function requestClientCertificate(o: RequestOptions): Promise<string> {
  const usages = createPrivateKey(o.keyPem).asymmetricKeyType === 'rsa' ? ['digital signature', 'key encipherment', 'client auth'] : ['digital signature', 'client auth'];
  const request = createCsr(o.keyPem, { commonName: `system:node:${o.nodeName}`, organizations: ['system:nodes'] });
  const body = {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
    metadata: o.name ? { name: o.name } : { generateName: o.generateName ?? 'csr-' },
    spec: { request: Buffer.from(request).toString('base64'), signerName: SIGNER, usages },
  } as CertificateSigningRequest;
  let name = o.name;
  try {
    name = (await o.client.create(CSR_RESOURCE, body, { signal: o.signal })).metadata!.name!;
  } catch (err) {
    // Our own request from before a restart (same key, same name) is waited for again.
    if (!(o.name && isApiError(err, 'AlreadyExists'))) throw err;
  }
  o.log.info('certificate signing request posted, waiting for approval', { csr: name, node: o.nodeName });
  for (;;) {
    if (o.signal.aborted) throw new Error('aborted while waiting for the certificate');
    const csr = await o.client.get<CertificateSigningRequest>({ ...CSR_RESOURCE, name: name! }, { signal: o.signal });
    const failed = (csr.status?.conditions ?? []).find((c) => c.type === 'Denied' || c.type === 'Failed');
    if (failed) throw new Error(`certificate signing request ${name} is ${(failed.type ?? '').toLowerCase()}: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim());
    if (csr.status?.certificate) {
      o.log.info('certificate signing request approved and issued', { csr: name, node: o.nodeName });
      return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Flags of the bootstrap. */
export interface BootstrapOptions { kubeconfig: string; bootstrapKubeconfig: string; certDir: string; nodeName: string; log: Logger; signal: AbortSignal; connect(kubeconfig: string): ApiClient }

/**
 * Makes sure --kubeconfig authenticates with a valid client certificate: kept when it has one,
 * else rebuilt from a valid kubelet-client-current.pem, else obtained through a CSR.
 */
export async function bootstrapClientCertificate(o: BootstrapOptions): Promise<void> {
  if (kubeconfigClientCert(o.kubeconfig)) return;
  const current = join(o.certDir, CURRENT_PEM);
  if (existsSync(current) && certUsable(certOf(readFileSync(current, 'utf8')))) {
    o.log.info('using the client certificate of --cert-dir', { file: current });
    writeCertKubeconfig(o.kubeconfig, o.bootstrapKubeconfig, current);
    return;
  }
  mkdirSync(o.certDir, { recursive: true, mode: 0o700 });
  const keyFile = join(o.certDir, PENDING_KEY);
  if (!existsSync(keyFile)) writeAtomic(keyFile, newPrivateKeyPem());
  const keyPem = readFileSync(keyFile, 'utf8');
  const client = o.connect(o.bootstrapKubeconfig);
  try {
    const cert = await requestClientCertificate({ client, nodeName: o.nodeName, keyPem, log: o.log, signal: o.signal, name: csrNameFor(keyPem, o.nodeName) });
    writeCertKubeconfig(o.kubeconfig, o.bootstrapKubeconfig, storeClientCert(o.certDir, cert, keyPem));
    rmSync(keyFile, { force: true });
  } finally {
    client.close();
  }
}
