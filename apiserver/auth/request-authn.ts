/**
 * Authentication of the secure port (kube-apiserver's request authenticator union): a verified
 * client certificate (CN = user, O = groups), else a bearer token from --token-auth-file; a
 * request with no credentials is system:anonymous only for discovery (health and version are
 * public before this runs); anything else is 401. Synchronous, as the REST handler calls it.
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Metadata } from '@grpc/grpc-js';
import { ApiError } from '../../lib/errors.js';
import { certUser } from '../../lib/pki/pki.js';
import type { UserInfo } from '../registry/types.js';
import { ANONYMOUS, bearerToken } from './authn.js';

/** Request kinds an anonymous caller may reach (discovery, as system:discovery allows). */
const ANONYMOUS_PATHS = /^\/(api(\/v1)?|apis(\/[^/?]+(\/[^/?]+)?)?|openapi(\/[^?]*)?)\/?(\?.*)?$/;

/** The user of a verified client certificate, undefined without one; 401 for an untrusted one. */
export function clientCertUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerX509Certificate !== 'function') return undefined;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return undefined;
  // The TLS server requests but does not require certificates: verification is judged here.
  if (!socket.authorized) throw new ApiError('Unauthorized', `Unauthorized: client certificate rejected: ${String(socket.authorizationError ?? 'not verified')}`);
  return verifiedCertUser(peer);
}

/**
 * The user a verified client certificate names: CN = user, O = groups, plus system:authenticated.
 * Its validity is checked on every request, as Kubernetes' x509 authenticator does: a connection
 * opened with a certificate that has expired since is refused (a rotated kubelet reconnects).
 */
export function verifiedCertUser(peer: X509Certificate, now = Date.now()): UserInfo {
  if (Date.parse(peer.validTo) < now || Date.parse(peer.validFrom) > now) throw new ApiError('Unauthorized', 'Unauthorized: client certificate has expired or is not yet valid');
  const { username, groups } = certUser(peer);
  if (!username) throw new ApiError('Unauthorized', 'Unauthorized: client certificate has no common name');
  return { username, groups: [...groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'] };
}

/** Options of the secure-port authenticator. */
export interface SecureAuthnOptions {
  /** Static tokens (parseTokenFile). */
  tokens?: Map<string, UserInfo>;
  /** Further token authenticators (ServiceAccount JWTs, ...), tried after the static file. */
  tokenAuthenticators?: ((token: string) => UserInfo | undefined)[];
  /** Anonymous discovery (kube-apiserver --anonymous-auth, default true). */
  anonymous?: boolean;
  /** Throws Forbidden unless `user` may `impersonate` the users/groups resource named (kubectl --as). */
  mayImpersonate?(user: UserInfo, resource: 'users' | 'groups', name: string): void;
}

function headerList(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** Applies Impersonate-User/Impersonate-Group after checking the caller's `impersonate` right. */
export function impersonated(req: IncomingMessage, user: UserInfo, o: SecureAuthnOptions): UserInfo {
  const as = headerList(req.headers['impersonate-user'])[0];
  const groups = headerList(req.headers['impersonate-group']);
  if (!as) {
    if (groups.length) throw new ApiError('BadRequest', 'requested impersonation of groups without a user');
    return user;
  }
  if (!o.mayImpersonate) throw new ApiError('Forbidden', `users "${as}" is forbidden: impersonation is not enabled`);
  o.mayImpersonate(user, 'users', as);
  for (const g of groups) o.mayImpersonate(user, 'groups', g);
  const serviceAccount = /^system:serviceaccount:([^:]+):/.exec(as);
  const implied = serviceAccount ? ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount[1]}`] : [];
  return { username: as, groups: [...new Set([...groups, ...implied, 'system:authenticated'])] };
}

function tokenUser(token: string, o: SecureAuthnOptions): UserInfo {
  const user = o.tokens?.get(token) ?? o.tokenAuthenticators?.map((f) => f(token)).find(Boolean);
  if (!user) throw new ApiError('Unauthorized', 'Unauthorized');
  return user;
}

/** The REST authenticator of the secure port. */
export function secureRequestAuthenticator(o: SecureAuthnOptions): (req: IncomingMessage) => UserInfo {
  return (req) => {
    const fromCert = clientCertUser(req);
    if (fromCert) return impersonated(req, fromCert, o);
    const token = bearerToken(req.headers);
    if (token) return impersonated(req, tokenUser(token, o), o);
    if (req.headers.authorization !== undefined) throw new ApiError('Unauthorized', 'Unauthorized');
    if ((o.anonymous ?? true) && ANONYMOUS_PATHS.test(req.url ?? '')) return ANONYMOUS;
    throw new ApiError('Unauthorized', 'Unauthorized');
  };
}

/**
 * The gRPC authenticator: a verified client certificate (TLS port; the server passes only
 * certificates that chain to the client CA), else `authorization: Bearer <token>` metadata,
 * else 401 (no anonymous).
 */
export function grpcTokenAuthenticator(o: SecureAuthnOptions): (metadata: Metadata, peer?: X509Certificate) => Promise<UserInfo> {
  return async (metadata, peer) => {
    if (peer) return verifiedCertUser(peer);
    const raw = metadata.get('authorization')[0];
    const token = bearerToken({ authorization: typeof raw === 'string' ? raw : raw?.toString() });
    if (!token) throw new ApiError('Unauthorized', 'Unauthorized');
    return tokenUser(token, o);
  };
}
