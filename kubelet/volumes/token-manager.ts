/**
 * The kubelet's ServiceAccount token manager (Kubernetes' pkg/kubelet/token): projected
 * serviceAccountToken files hold real tokens from the TokenRequest API, bound to the pod
 * (boundObjectRef kind Pod, name, uid). A token is reused until 80 % of its lifetime has passed
 * or it is 24 h old, then requested again; while a refresh fails the old token is kept as long
 * as it is valid.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Pod } from '../../lib/api/types.js';

/** A projected serviceAccountToken source. */
export interface TokenProjection { audience?: string; expirationSeconds?: number; path?: string }

/** POSTs a TokenRequest for ServiceAccount `namespace/name`; resolves the answered object. */
export type TokenRequester = (namespace: string, serviceAccount: string, request: KObject) => Promise<KObject>;

interface Cached { token: string; issuedMs: number; expiresMs: number }

const DAY_MS = 24 * 3600_000;

/** True when a token issued at `issuedMs` and expiring at `expiresMs` should be requested again at `nowMs`. */
export function requiresRefresh(issuedMs: number, expiresMs: number, nowMs: number): boolean {
  return nowMs >= issuedMs + 0.8 * (expiresMs - issuedMs) || nowMs - issuedMs > DAY_MS;
}

/** Requests and caches bound tokens per pod and projection. */
export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly request: TokenRequester, private readonly now: () => number = Date.now) {}

  /** A manager that asks through the kubelet's gRPC client (POST serviceaccounts/<sa>/token). */
  static forClient(client: ApiClient): ServiceAccountTokenManager {
    return new ServiceAccountTokenManager((namespace, name, request) => client.create({ resource: 'serviceaccounts', namespace, name, subresource: 'token' }, request));
  }

  /** The current token for `pod`'s projection; requests a new one when due. */
  async token(pod: Pod, p: TokenProjection): Promise<string> {
    const ns = pod.metadata!.namespace!;
    const sa = pod.spec?.serviceAccountName || 'default';
    const key = [ns, sa, pod.metadata?.name, pod.metadata?.uid, p.audience ?? '', p.expirationSeconds ?? 3600].join('/');
    const now = this.now();
    this.prune(now);
    const cur = this.cache.get(key);
    if (cur && !requiresRefresh(cur.issuedMs, cur.expiresMs, now)) return cur.token;
    try {
      const answer = await this.request(ns, sa, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns },
        spec: { audiences: p.audience ? [p.audience] : [], expirationSeconds: p.expirationSeconds ?? 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid } },
      } as KObject);
      const status = (answer as { status?: { token?: string; expirationTimestamp?: string } }).status ?? {};
      if (!status.token) throw new Error('TokenRequest answered without a token');
      const expiresMs = Date.parse(status.expirationTimestamp ?? '') || now + (p.expirationSeconds ?? 3600) * 1000;
      this.cache.set(key, { token: status.token, issuedMs: now, expiresMs });
      return status.token;
    } catch (err) {
      if (cur && cur.expiresMs > now) return cur.token; // keep serving the valid one; retried on the next sync
      throw err;
    }
  }

  /** Drops expired tokens (pods that are gone stop asking; their entries age out here). */
  private prune(now: number): void {
    for (const [k, v] of this.cache) if (v.expiresMs <= now) this.cache.delete(k);
  }
}
