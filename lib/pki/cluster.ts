/**
 * The cluster's certificate directory (kube-apiserver --cert-dir, kubeadm's /etc/kubernetes/pki):
 * created on first start, reused afterwards, so restarting the apiserver keeps the CA that every
 * kubeconfig and kubelet already trusts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCert, type CertKeyPair, type CertRequest } from './pki.js';

/** The default names of `kubernetes.default` a serving certificate must carry. */
export const APISERVER_DNS_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'];

/** Client identities of the control plane (CN, O) as kubeadm names them. */
export const COMPONENT_IDENTITIES: Record<string, { cn: string; o?: string[] }> = {
  admin: { cn: 'kubernetes-admin', o: ['system:masters'] },
  'kube-scheduler': { cn: 'system:kube-scheduler' },
  'kube-controller-manager': { cn: 'system:kube-controller-manager' },
  'kube-proxy': { cn: 'system:kube-proxy', o: ['system:node-proxier'] },
  'apiserver-kubelet-client': { cn: 'kube-apiserver-kubelet-client', o: ['kubeadm:cluster-admins'] },
};

/** Paths of the files in a cert dir. */
export function pkiPaths(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** Reads `<dir>/<name>.crt/.key`, or undefined when either is missing. */
export function readPair(dir: string, name: string): CertKeyPair | undefined {
  const p = pkiPaths(dir, name);
  if (!existsSync(p.cert) || !existsSync(p.key)) return undefined;
  return { cert: readFileSync(p.cert, 'utf8'), key: readFileSync(p.key, 'utf8') };
}

function writePair(dir: string, name: string, pair: CertKeyPair): void {
  const p = pkiPaths(dir, name);
  writeFileSync(p.cert, pair.cert, { mode: 0o644 });
  // Private keys are readable by root only.
  writeFileSync(p.key, pair.key, { mode: 0o600 });
}

/** Loads `<name>` from the dir, or issues it with the CA and stores it. */
export function ensurePair(dir: string, ca: CertKeyPair, name: string, req: CertRequest): CertKeyPair {
  const have = readPair(dir, name);
  if (have) return have;
  const made = issueCert(ca, req);
  writePair(dir, name, made);
  return made;
}

/** The cluster CA of the dir, created when absent. */
export function ensureCA(dir: string): CertKeyPair {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const have = readPair(dir, 'ca');
  if (have) return have;
  const ca = createCA('kubernetes');
  writePair(dir, 'ca', ca);
  return ca;
}

/** What ensureClusterPki produced. */
export interface ClusterPki { dir: string; ca: CertKeyPair; apiserver: CertKeyPair; clients: Record<string, CertKeyPair> }

/**
 * The CA, the apiserver's serving certificate (SANs: `hosts` + 127.0.0.1 + kubernetes.default
 * names) and a client certificate per COMPONENT_IDENTITIES entry; existing files are kept.
 */
export function ensureClusterPki(dir: string, hosts: string[] = []): ClusterPki {
  const ca = ensureCA(dir);
  const sans = [...new Set([...APISERVER_DNS_NAMES, '127.0.0.1', ...hosts])];
  const apiserver = ensurePair(dir, ca, 'apiserver', { commonName: 'kube-apiserver', hosts: sans, usage: 'server' });
  const clients: Record<string, CertKeyPair> = {};
  for (const [name, id] of Object.entries(COMPONENT_IDENTITIES)) {
    clients[name] = ensurePair(dir, ca, name, { commonName: id.cn, organizations: id.o, usage: 'client' });
  }
  return { dir, ca, apiserver, clients };
}

/** A kubelet's client certificate (system:node:<name> in system:nodes), stored as kubelet-<name>. */
export function ensureKubeletClient(dir: string, nodeName: string): CertKeyPair {
  return ensurePair(dir, ensureCA(dir), `kubelet-${nodeName}`, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], usage: 'client' });
}

/** The ServiceAccount token signing key `<dir>/sa.key` (RSA, as kubeadm), created when absent. */
export function ensureServiceAccountKey(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'sa.key');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

/** A kubelet's serving certificate (its server for logs/exec/port-forward), stored as kubelet-server-<name>. */
export function ensureKubeletServing(dir: string, nodeName: string, hosts: string[]): CertKeyPair {
  return ensurePair(dir, ensureCA(dir), `kubelet-server-${nodeName}`, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], hosts: [nodeName, ...hosts], usage: 'server' });
}

/** The etcd certificates of a cluster, as kubeadm lays them out (paths of PEM files). */
export interface EtcdPkiFiles {
  /** etcd's own CA (not the cluster CA: a kubelet's certificate must not open etcd). */
  ca: string;
  server: { cert: string; key: string };
  peer: { cert: string; key: string };
  /** Client certificates: the apiserver, flanneld, and host tools (kubesim etcdctl, status, chaos). */
  apiserverClient: { cert: string; key: string };
  flanneldClient: { cert: string; key: string };
  healthcheckClient: { cert: string; key: string };
}

/** Where the etcd certificates of cert dir `dir` are (made by ensureEtcdPki). */
export function etcdPkiFiles(dir: string): EtcdPkiFiles {
  const etcd = join(dir, 'etcd');
  return {
    ca: pkiPaths(etcd, 'ca').cert, server: pkiPaths(etcd, 'server'), peer: pkiPaths(etcd, 'peer'),
    apiserverClient: pkiPaths(dir, 'apiserver-etcd-client'), flanneldClient: pkiPaths(dir, 'flanneld-etcd-client'), healthcheckClient: pkiPaths(etcd, 'healthcheck-client'),
  };
}

/**
 * etcd's CA in `<dir>/etcd` and its certificates (kubeadm's names): the members' serving and peer
 * certificates (SANs: localhost, 127.0.0.1 and `hosts`, the members' addresses and names), and
 * client certificates for the apiserver (`apiserver-etcd-client`), flanneld
 * (`flanneld-etcd-client`) and host tools (`etcd/healthcheck-client`). Existing files are kept.
 */
export function ensureEtcdPki(dir: string, hosts: string[] = []): EtcdPkiFiles {
  const etcdDir = join(dir, 'etcd');
  mkdirSync(etcdDir, { recursive: true, mode: 0o700 });
  let ca = readPair(etcdDir, 'ca');
  if (!ca) { ca = createCA('etcd-ca'); writePair(etcdDir, 'ca', ca); }
  const sans = [...new Set(['localhost', '127.0.0.1', ...hosts])];
  ensurePair(etcdDir, ca, 'server', { commonName: 'kube-etcd', hosts: sans, usage: 'both' });
  ensurePair(etcdDir, ca, 'peer', { commonName: 'kube-etcd-peer', hosts: sans, usage: 'both' });
  ensurePair(etcdDir, ca, 'healthcheck-client', { commonName: 'kube-etcd-healthcheck-client', usage: 'client' });
  ensurePair(dir, ca, 'apiserver-etcd-client', { commonName: 'kube-apiserver-etcd-client', usage: 'client' });
  ensurePair(dir, ca, 'flanneld-etcd-client', { commonName: 'flanneld', usage: 'client' });
  return etcdPkiFiles(dir);
}
