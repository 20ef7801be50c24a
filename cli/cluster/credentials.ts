/**
 * The credentials of a local cluster (what kubeadm's certs and kubeconfig phases write): the PKI
 * in <dir>/pki (CA, apiserver serving certificate, a client certificate per identity, the
 * ServiceAccount signing key), the static token file (<dir>/pki/tokens.csv) and one kubeconfig
 * per identity in <dir>/kubeconfigs (CA, client certificate and token). Components speak TLS on
 * both the HTTPS and the gRPC port, verify the apiserver against the CA and present their client
 * certificate (the token is the fallback the kubeconfig also carries). Everything is created once and reused, so a restarted cluster keeps its CA.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { ensureClusterPki, ensureKubeletClient, ensureKubeletServing, ensureServiceAccountKey, pkiPaths } from '../../lib/pki/cluster.js';
import { firstServiceIP } from '../../apiserver/auth/secure-flags.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createBootstrapToken } from './bootstrap-token.js';
import type { ClusterLayout } from './layout.js';

/** The cluster's certificate directory (the apiserver's --cert-dir). */
export function pkiDirOf(c: ClusterLayout): string { return join(c.dir, 'pki'); }
/** The apiserver's --token-auth-file. */
export function tokenFileOf(c: ClusterLayout): string { return join(pkiDirOf(c), 'tokens.csv'); }
/** The kubeconfig of one identity (kube-scheduler, kube-controller-manager, kube-proxy, kubelet-<node>). */
export function kubeconfigOf(c: ClusterLayout, identity: string): string { return join(c.dir, 'kubeconfigs', `${identity}.kubeconfig`); }
/** The HTTPS URL of the apiserver as nodes and pods see it. */
export function secureURL(c: ClusterLayout): string { return `https://${c.hostIP}:${c.ports.secure}`; }

/** The token of `user` in the token file, added (random, 32 hex bytes) when missing. */
export function ensureToken(file: string, user: string, groups: string[]): string {
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [token, name] = line.split(',');
    if (name === user && token) return token;
  }
  const token = randomBytes(32).toString('hex');
  appendFileSync(file, `${token},${user},${user}${groups.length ? `,"${groups.join(',')}"` : ''}\n`);
  return token;
}

/** Identities of the control plane: cert name in the PKI, user and groups of the token. */
const CONTROL_PLANE = [
  { id: 'admin', user: 'kubernetes-admin', groups: ['system:masters'] },
  { id: 'kube-scheduler', user: 'system:kube-scheduler', groups: [] },
  { id: 'kube-controller-manager', user: 'system:kube-controller-manager', groups: [] },
  { id: 'kube-proxy', user: 'system:kube-proxy', groups: ['system:node-proxier'] },
];

function writeFor(c: ClusterLayout, file: string, user: string, cert: { cert: string; key: string }, token: string): void {
  const ca = readFileSync(pkiPaths(pkiDirOf(c), 'ca').cert, 'utf8');
  writeKubeconfig(file, c.name, secureURL(c), `${c.hostIP}:${c.ports.grpc}`, { token, caCert: ca, clientCert: cert.cert, clientKey: cert.key, user });
}

/**
 * The CA, apiserver certificate (SANs: the host's bridge address and the `kubernetes` ClusterIP),
 * SA key, tokens and the kubeconfigs of admin (c.kubeconfig), scheduler, controller-manager and
 * kube-proxy.
 */
export function ensureClusterCredentials(c: ClusterLayout): void {
  const dir = pkiDirOf(c);
  const pki = ensureClusterPki(dir, [c.hostIP, firstServiceIP(c.serviceCIDR) ?? '10.96.0.1']);
  ensureServiceAccountKey(dir);
  for (const p of CONTROL_PLANE) {
    const token = ensureToken(tokenFileOf(c), p.user, p.groups);
    writeFor(c, p.id === 'admin' ? c.kubeconfig : kubeconfigOf(c, p.id), p.id === 'admin' ? `${c.name}-admin` : p.user, pki.clients[p.id], token);
  }
}

/**
 * What a node's kubelet is given: its kubeconfig (and the token in it) and the serving certificate
 * of its server. A bootstrapping kubelet instead gets a bootstrap kubeconfig (with `token`, a
 * bootstrap token) and writes `kubeconfig` itself once its CSR is signed (certificates in certDir).
 */
export interface NodeCredentials { kubeconfig: string; token: string; tlsCertFile: string; tlsKeyFile: string; clientCAFile: string; bootstrap?: { kubeconfig: string; certDir: string } }

/** A kubelet's identity system:node:<name> (system:nodes): client cert, token, kubeconfig, serving cert. */
export function ensureNodeCredentials(c: ClusterLayout, nodeName: string, nodeIP: string): NodeCredentials {
  const dir = pkiDirOf(c);
  const user = `system:node:${nodeName}`;
  const token = ensureToken(tokenFileOf(c), user, ['system:nodes']);
  const kubeconfig = kubeconfigOf(c, `kubelet-${nodeName}`);
  writeFor(c, kubeconfig, user, ensureKubeletClient(dir, nodeName), token);
  ensureKubeletServing(dir, nodeName, [nodeIP]);
  const serving = pkiPaths(dir, `kubelet-server-${nodeName}`);
  return { kubeconfig, token, tlsCertFile: serving.cert, tlsKeyFile: serving.key, clientCAFile: pkiPaths(dir, 'ca').cert };
}

/** How long the bootstrap token of `kubesim node add` is valid (it is used within seconds). */
const NODE_ADD_TOKEN_TTL_SECONDS = 3600;

/**
 * Credentials of a node that joins through kubelet TLS bootstrapping (`kubesim node add`): a fresh
 * bootstrap token in a bootstrap kubeconfig, the kubelet's kubeconfig and cert dir under the
 * node's state dir (written by the kubelet), and the serving certificate of its server.
 */
export async function ensureBootstrapNodeCredentials(c: ClusterLayout, nodeName: string, nodeIP: string, nodeDir: string, apiURL: string): Promise<NodeCredentials> {
  const dir = pkiDirOf(c);
  const token = await createBootstrapToken(apiURL, NODE_ADD_TOKEN_TTL_SECONDS, `kubesim node add ${nodeName}`);
  const bootstrapKubeconfig = join(nodeDir, 'kubelet', 'bootstrap-kubelet.conf');
  const ca = readFileSync(pkiPaths(dir, 'ca').cert, 'utf8');
  writeKubeconfig(bootstrapKubeconfig, c.name, secureURL(c), `${c.hostIP}:${c.ports.grpc}`, { token, caCert: ca, user: 'tls-bootstrap-token-user' });
  ensureKubeletServing(dir, nodeName, [nodeIP]);
  const serving = pkiPaths(dir, `kubelet-server-${nodeName}`);
  return {
    kubeconfig: join(nodeDir, 'kubelet', 'kubelet.conf'), token, tlsCertFile: serving.cert, tlsKeyFile: serving.key, clientCAFile: pkiPaths(dir, 'ca').cert,
    bootstrap: { kubeconfig: bootstrapKubeconfig, certDir: join(nodeDir, 'kubelet', 'pki') },
  };
}

/**
 * True once the apiserver accepts `token` (it re-reads its token file about every second, so a
 * token just added is refused for a moment): /version answers 200 to a known token, 401 otherwise.
 */
export function tokenAccepted(c: ClusterLayout, token: string): Promise<boolean> {
  const ca = readFileSync(pkiPaths(pkiDirOf(c), 'ca').cert, 'utf8');
  return new Promise((resolve) => {
    const req = httpsRequest(`${secureURL(c)}/version`, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 3000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => req.destroy()).on('error', () => resolve(false)).end();
  });
}
