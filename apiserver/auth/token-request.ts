/**
 * TokenRequest (authentication.k8s.io/v1, POST serviceaccounts/<name>/token — what
 * `kubectl create token` and the kubelet's projected token volumes call): a signed, expiring
 * token for an existing ServiceAccount, optionally bound to a pod.
 */
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { ServiceAccountTokens } from './sa-token.js';

interface TokenRequestSpec { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; name?: string; uid?: string } }

/** The registry's issueToken hook for `tokens`. */
export function tokenRequestIssuer(tokens: ServiceAccountTokens): (serviceAccount: KObject, request: KObject) => KObject {
  return (sa, request) => {
    const spec = ((request as { spec?: TokenRequestSpec }).spec ?? {}) as TokenRequestSpec;
    const expirationSeconds = spec.expirationSeconds ?? 3600;
    if (!Number.isInteger(expirationSeconds) || expirationSeconds < 600 || expirationSeconds > 2 ** 32) {
      throw new ApiError('Invalid', `TokenRequest.authentication.k8s.io "${sa.metadata?.name}" is invalid: spec.expirationSeconds: Invalid value: ${JSON.stringify(spec.expirationSeconds)}: may not specify a duration less than 10 minutes`);
    }
    const bound = spec.boundObjectRef;
    if (bound && bound.kind !== 'Pod' && bound.kind !== 'Secret') {
      throw new ApiError('Invalid', `TokenRequest.authentication.k8s.io "${sa.metadata?.name}" is invalid: spec.boundObjectRef.kind: Unsupported value: ${JSON.stringify(bound.kind)}: supported values: "Pod", "Secret"`);
    }
    const issued = tokens.issue({
      namespace: sa.metadata?.namespace ?? '', serviceAccount: sa.metadata?.name ?? '', serviceAccountUID: sa.metadata?.uid,
      audiences: spec.audiences ?? [], expirationSeconds,
      pod: bound?.kind === 'Pod' && bound.name ? { name: bound.name, uid: bound.uid } : undefined,
    });
    return {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { name: sa.metadata?.name, namespace: sa.metadata?.namespace, creationTimestamp: new Date().toISOString() },
      spec: { audiences: spec.audiences?.length ? spec.audiences : tokens.apiAudiences, expirationSeconds, boundObjectRef: bound ?? null },
      status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
    } as KObject;
  };
}
