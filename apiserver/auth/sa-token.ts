/**
 * ServiceAccount tokens: JWTs signed with the --service-account-signing-key-file (RS256 for RSA,
 * ES256 for P-256 keys) carrying Kubernetes' claims (iss, sub, aud, exp, iat, nbf and the
 * kubernetes.io block naming namespace, service account and bound pod), and the authenticator
 * that verifies signature, issuer, audience and expiry before mapping the token to
 * system:serviceaccount:<ns>:<name>.
 */
import { createPrivateKey, createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import type { UserInfo } from '../registry/types.js';
import { jwtAlgorithm as algorithm, LEGACY_ISSUER, signJwt, type LegacyClaims } from '../../lib/api/service-account-jwt.js';

/** What a token is issued for. */
export interface TokenSpec {
  namespace: string;
  serviceAccount: string;
  serviceAccountUID?: string;
  audiences: string[];
  expirationSeconds: number;
  /** Set for extended projected tokens: when clients should have switched to a fresh one (the `warnafter` claim). */
  warnAfterSeconds?: number;
  /** The pod the token is bound to (projected volumes), and the node it runs on. */
  pod?: { name: string; uid?: string };
  node?: { name: string; uid?: string };
  /** The Secret the token is bound to (TokenRequest boundObjectRef kind Secret). */
  secret?: { name: string; uid?: string };
  /** Clock (tests). */
  now?: number;
}

/** The `kubernetes.io` claim block: who the token is for and what it is bound to. */
export interface KubernetesClaims {
  namespace: string; serviceaccount: { name: string; uid?: string };
  pod?: { name: string; uid?: string }; node?: { name: string; uid?: string }; secret?: { name: string; uid?: string };
  /** Extended tokens: the time (Unix seconds) after which using it is only logged, not refused. */
  warnafter?: number;
}

interface Claims extends Partial<LegacyClaims> { iss: string; sub: string; aud: string[]; exp: number; iat: number; nbf: number; jti: string; 'kubernetes.io': KubernetesClaims }

/** Decides whether the objects a token names still exist (ServiceAccount uid, bound pod uid). */
export type BoundObjectCheck = (k: KubernetesClaims) => boolean;

/**
 * Decides whether a legacy Secret-bound token is still valid: its Secret exists (not being
 * deleted) and holds exactly this token, and the ServiceAccount exists with the uid named.
 */
export type LegacyTokenCheck = (claims: LegacyClaims, token: string) => boolean;

/** Signs and verifies ServiceAccount tokens for one issuer. */
export class ServiceAccountTokens {
  private readonly privateKey?: KeyObject;
  private readonly publicKeys: KeyObject[];

  /** `signingKeyPem` may be absent on a verifier-only side; `extraPublicKeys` accept rotated keys. */
  /** Shortest lifetime issued (Kubernetes: 600 s; lowered only for tests of rotation). */
  minExpirationSeconds = 600;
  /** Longest lifetime issued; longer requests are shortened to it (--service-account-max-token-expiration), 0 = no cap. */
  maxExpirationSeconds = 0;
  /** Projected 3607 s pod tokens live a year with a `warnafter` claim (--service-account-extend-token-expiration). */
  extendExpiration = true;
  /** Set once the apiserver can read pods and ServiceAccounts: tokens naming deleted objects are refused. */
  boundObjectCheck?: BoundObjectCheck;
  /** Set once the apiserver can read Secrets and ServiceAccounts: legacy tokens are accepted only through it. */
  legacyTokenCheck?: LegacyTokenCheck;

  /** Sets the lifetime limits (seconds; max 0 = no cap); a cap below the minimum is a configuration error. */
  setLimits(minSeconds: number, maxSeconds = 0): void {
    if (!(minSeconds >= 1)) throw new Error(`token minimum lifetime must be at least 1s, got ${minSeconds}s`);
    if (maxSeconds && maxSeconds < minSeconds) throw new Error(`token maximum lifetime ${maxSeconds}s is below the minimum ${minSeconds}s`);
    this.minExpirationSeconds = minSeconds;
    this.maxExpirationSeconds = maxSeconds;
  }

  constructor(readonly issuer: string, signingKeyPem?: string, extraPublicKeys: string[] = [], readonly apiAudiences: string[] = [issuer]) {
    this.privateKey = signingKeyPem ? createPrivateKey(signingKeyPem) : undefined;
    this.publicKeys = [...(this.privateKey ? [createPublicKey(this.privateKey)] : []), ...extraPublicKeys.map((p) => createPublicKey(p))];
    if (!this.publicKeys.length) throw new Error('service account tokens need a signing key or a public key');
  }

  /** A signed token and its expiry. */
  issue(spec: TokenSpec): { token: string; expirationTimestamp: string } {
    if (!this.privateKey) throw new Error('no --service-account-signing-key-file: cannot issue tokens');
    if (!(spec.expirationSeconds >= this.minExpirationSeconds)) throw new Error(`expirationSeconds must be at least ${this.minExpirationSeconds}`);
    const now = Math.floor((spec.now ?? Date.now()) / 1000);
    const claims: Claims = {
      iss: this.issuer, sub: `system:serviceaccount:${spec.namespace}:${spec.serviceAccount}`, aud: spec.audiences.length ? spec.audiences : this.apiAudiences,
      exp: now + spec.expirationSeconds, iat: now, nbf: now, jti: randomUUID(),
      'kubernetes.io': { namespace: spec.namespace, serviceaccount: { name: spec.serviceAccount, uid: spec.serviceAccountUID }, ...(spec.pod ? { pod: spec.pod } : {}), ...(spec.node ? { node: spec.node } : {}), ...(spec.secret ? { secret: spec.secret } : {}), ...(spec.warnAfterSeconds ? { warnafter: now + spec.warnAfterSeconds } : {}) },
    };
    return { token: signJwt(this.privateKey, claims), expirationTimestamp: new Date(claims.exp * 1000).toISOString() };
  }

  /**
   * The user of a valid token; undefined when it is not ours or is invalid (expired, wrong
   * audience, tampered, or naming a ServiceAccount or pod that no longer exists).
   */
  authenticate(token: string, now = Date.now()): UserInfo | undefined {
    const claims = this.verifiedClaims(token);
    if (claims?.iss === LEGACY_ISSUER) return this.legacyUser(claims, token);
    if (!claims || claims.iss !== this.issuer) return undefined;
    const t = Math.floor(now / 1000);
    // A minute of leeway for clocks that disagree, as Kubernetes allows.
    if (typeof claims.exp !== 'number' || claims.exp + 60 < t || (typeof claims.nbf === 'number' && claims.nbf - 60 > t)) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => this.apiAudiences.includes(a))) return undefined;
    const k = claims['kubernetes.io'];
    if (!k?.namespace || !k.serviceaccount?.name || claims.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) return undefined;
    if (this.boundObjectCheck && !this.boundObjectCheck(k)) return undefined;
    const extra: Record<string, string[]> = {};
    if (k.pod) extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
    if (k.pod?.uid) extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    if (k.node) extra['authentication.kubernetes.io/node-name'] = [k.node.name];
    if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    return {
      username: claims.sub, uid: k.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
      ...(Object.keys(extra).length ? { extra } : {}),
    };
  }

  /**
   * A legacy token (a Secret of type kubernetes.io/service-account-token, filled by the controller
   * manager): no expiry, so it is valid only while legacyTokenCheck finds its Secret holding it
   * and its ServiceAccount; without the check (no registry to read) it is refused.
   */
  private legacyUser(claims: Claims, token: string): UserInfo | undefined {
    const ns = claims['kubernetes.io/serviceaccount/namespace'];
    const name = claims['kubernetes.io/serviceaccount/service-account.name'];
    const uid = claims['kubernetes.io/serviceaccount/service-account.uid'];
    const secret = claims['kubernetes.io/serviceaccount/secret.name'];
    if (!ns || !name || !uid || !secret || claims.sub !== `system:serviceaccount:${ns}:${name}`) return undefined;
    if (!this.legacyTokenCheck?.(claims as unknown as LegacyClaims, token)) return undefined;
    return {
      username: claims.sub, uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    };
  }

  private verifiedClaims(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as { alg?: string };
      const input = Buffer.from(`${parts[0]}.${parts[1]}`);
      const sig = Buffer.from(parts[2], 'base64url');
      // The algorithm must match the key type: never let the token choose (no 'none', no HS256).
      const ok = this.publicKeys.some((key) => algorithm(key) === header.alg
        && verify('sha256', input, header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, sig));
      return ok ? JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Claims : undefined;
    } catch {
      return undefined;
    }
  }
}
