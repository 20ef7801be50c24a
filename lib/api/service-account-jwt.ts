/**
 * Signing of ServiceAccount JWTs (shared by the apiserver's TokenRequest and the controller
 * manager's legacy token controller): RS256 for RSA keys, ES256 (raw r||s, RFC 7518 §3.4) for
 * P-256 keys; and the claims of legacy Secret-bound tokens (type
 * kubernetes.io/service-account-token), which never expire and are valid only while their
 * Secret holds them.
 */
import { sign, type KeyObject } from 'node:crypto';

/** The issuer of legacy Secret-bound tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** The private claims of a legacy token (Kubernetes' legacyPrivateClaims). */
export interface LegacyClaims {
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

/** The JWS algorithm of a key; other key types are refused. */
export function jwtAlgorithm(key: KeyObject): 'RS256' | 'ES256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`service account key must be RSA or EC P-256, got ${key.asymmetricKeyType}`);
}

/** A compact JWS of `claims` signed with `key`. */
export function signJwt(key: KeyObject, claims: object): string {
  const alg = jwtAlgorithm(key);
  const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const sig = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${b64url(sig)}`;
}

/** A legacy token for ServiceAccount `namespace/name` (uid) held by Secret `secretName`. */
export function legacyServiceAccountToken(key: KeyObject, namespace: string, name: string, uid: string, secretName: string): string {
  const claims: LegacyClaims & { iss: string; sub: string } = {
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': name,
    'kubernetes.io/serviceaccount/service-account.uid': uid,
    sub: `system:serviceaccount:${namespace}:${name}`,
  };
  return signJwt(key, claims);
}
