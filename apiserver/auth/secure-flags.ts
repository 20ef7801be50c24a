/**
 * Turns the TLS flags of kube-apiserver into the secure listener's options: explicit
 * --tls-cert-file/--tls-private-key-file/--client-ca-file, or a cluster PKI generated once in
 * --cert-dir (the CA there then also verifies client certificates).
 */
import { readFileSync } from 'node:fs';
import { ensureClusterPki, ensureServiceAccountKey } from '../../lib/pki/cluster.js';
import { ServiceAccountTokens } from './sa-token.js';
import type { SecureListenerOptions } from '../server.js';
import { secureRequestAuthenticator, type SecureAuthnOptions } from './request-authn.js';
import { logLine } from '../rest/log.js';

/** The flag values this needs (commander camelCase). */
export interface TlsFlags {
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  certDir?: string;
  advertiseAddress?: string;
  bindAddress?: string;
  /** The first address of --service-cluster-ip-range: the ClusterIP of `kubernetes.default`. */
  serviceClusterIpRange?: string;
}

/** The first usable address of an IPv4 CIDR (10.96.0.0/12 → 10.96.0.1). */
export function firstServiceIP(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const n = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4];
  const mask = +m[5] === 0 ? 0 : (~0 << (32 - +m[5])) >>> 0;
  const ip = ((n & mask) >>> 0) + 1;
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** The secure listener, or undefined when the flags give no TLS material (HTTPS off). */
export function secureFromFlags(f: TlsFlags, port: number, authn: SecureAuthnOptions): SecureListenerOptions | undefined {
  if (port < 0 || (!f.tlsCertFile && !f.certDir)) return undefined;
  let cert: string; let key: string; let clientCA: string | undefined;
  if (f.tlsCertFile) {
    if (!f.tlsPrivateKeyFile) throw new Error('--tls-cert-file needs --tls-private-key-file');
    cert = readFileSync(f.tlsCertFile, 'utf8');
    key = readFileSync(f.tlsPrivateKeyFile, 'utf8');
    clientCA = f.clientCaFile ? readFileSync(f.clientCaFile, 'utf8') : undefined;
  } else {
    const hosts = [f.advertiseAddress, f.bindAddress, firstServiceIP(f.serviceClusterIpRange ?? '10.96.0.0/12')]
      .filter((h): h is string => !!h && h !== '0.0.0.0' && h !== '::');
    const pki = ensureClusterPki(f.certDir!, hosts);
    cert = pki.apiserver.cert;
    key = pki.apiserver.key;
    clientCA = f.clientCaFile ? readFileSync(f.clientCaFile, 'utf8') : pki.ca.cert;
    logLine('info', 'cluster certificates ready', { dir: f.certDir, sans: hosts.join(',') });
  }
  return { port, cert, key, clientCA, authenticate: secureRequestAuthenticator(authn) };
}

/** Flags of ServiceAccount tokens (commander camelCase). */
export interface SaFlags {
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFile?: string;
  serviceAccountIssuer?: string;
  apiAudiences?: string;
  certDir?: string;
}

/** The ServiceAccount token issuer/verifier, or undefined when no key is configured. */
export function serviceAccountTokensFromFlags(f: SaFlags): ServiceAccountTokens | undefined {
  const signing = f.serviceAccountSigningKeyFile ? readFileSync(f.serviceAccountSigningKeyFile, 'utf8') : f.certDir ? ensureServiceAccountKey(f.certDir) : undefined;
  const verifying = (f.serviceAccountKeyFile ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((file) => readFileSync(file, 'utf8'));
  if (!signing && !verifying.length) return undefined;
  const issuer = f.serviceAccountIssuer ?? 'https://kubernetes.default.svc.cluster.local';
  const audiences = f.apiAudiences ? f.apiAudiences.split(',').map((s) => s.trim()).filter(Boolean) : [issuer];
  return new ServiceAccountTokens(issuer, signing, verifying, audiences);
}
