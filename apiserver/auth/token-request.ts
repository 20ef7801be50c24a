/**
 * TokenRequest (authentication.k8s.io/v1, POST serviceaccounts/<name>/token — what
 * `kubectl create token` and the kubelet's projected token volumes call): a signed, expiring
 * token for an existing ServiceAccount, optionally bound to a pod (which must exist, carry the
 * given uid and run as that ServiceAccount; its node goes into the token too, as Kubernetes ≥ 1.30)
 * or to a Secret (which must exist): the token then lives only as long as that object.
 */
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { ServiceAccountTokens } from './sa-token.js';
import type { RequestContext } from '../registry/types.js';
import { nodeNameOf } from './node-authz.js';

interface TokenRequestSpec { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; name?: string; uid?: string } }

/** The lifetime the ServiceAccount admission asks for projected tokens (WarnOnlyBoundTokenExpirationSeconds). */
const PROJECTED_SECONDS = 3607;
/** What such a token really lives when extended (Kubernetes' ExpirationExtensionSeconds: a year). */
const EXTENDED_SECONDS = 365 * 24 * 3600;

/** What the issuer needs to know about a pod a token is bound to. */
export interface BoundPod { uid?: string; nodeName?: string; serviceAccountName?: string }

/** Synchronous lookup of pods by namespace/name (a live mirror). */
export type PodLookup = (namespace: string, name: string) => BoundPod | undefined;
/** Synchronous lookup of Secret uids by namespace/name (a live mirror); undefined = no such Secret. */
export type SecretLookup = (namespace: string, name: string) => { uid?: string } | undefined;

function invalid(sa: KObject, detail: string): ApiError {
  return new ApiError('Invalid', `TokenRequest.authentication.k8s.io "${sa.metadata?.name}" is invalid: ${detail}`);
}

/** The bound pod of a request, checked as Kubernetes' TokenREST does. */
function boundPod(sa: KObject, name: string, uid: string | undefined, pods: PodLookup | undefined): { name: string; uid?: string; nodeName?: string } {
  if (!pods) return { name, uid };
  const ns = sa.metadata?.namespace ?? '';
  const pod = pods(ns, name);
  if (!pod) throw new ApiError('NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
  if (uid && pod.uid !== uid) {
    throw new ApiError('Conflict', `Operation cannot be fulfilled on Pod "${name}": the UID in the bound object reference (${uid}) does not match the UID in record. The object might have been deleted and then recreated`, { name, kind: 'Pod' });
  }
  if ((pod.serviceAccountName ?? 'default') !== sa.metadata?.name) {
    throw new ApiError('BadRequest', `cannot bind token for serviceaccount "${sa.metadata?.name}" to pod running with different serviceaccount name.`);
  }
  return { name, uid: pod.uid, nodeName: pod.nodeName };
}

/** The bound Secret of a request: it must exist (with the uid given). */
function boundSecret(sa: KObject, name: string, uid: string | undefined, secrets: SecretLookup | undefined): { name: string; uid?: string } {
  if (!secrets) return { name, uid };
  const secret = secrets(sa.metadata?.namespace ?? '', name);
  if (!secret) throw new ApiError('NotFound', `secrets "${name}" not found`, { name, kind: 'secrets' });
  if (uid && secret.uid !== uid) {
    throw new ApiError('Conflict', `Operation cannot be fulfilled on Secret "${name}": the UID in the bound object reference (${uid}) does not match the UID in record. The object might have been deleted and then recreated`, { name, kind: 'Secret' });
  }
  return { name, uid: secret.uid };
}

/** The registry's issueToken hook for `tokens`; `pods` and `secrets` (late-bound) check bindings. */
export function tokenRequestIssuer(tokens: ServiceAccountTokens, pods?: () => PodLookup | undefined, secrets?: () => SecretLookup | undefined): (serviceAccount: KObject, request: KObject, ctx?: RequestContext) => KObject {
  return (sa, request, ctx) => {
    const spec = ((request as { spec?: TokenRequestSpec }).spec ?? {}) as TokenRequestSpec;
    let expirationSeconds = spec.expirationSeconds ?? 3600;
    const min = tokens.minExpirationSeconds;
    if (!Number.isInteger(expirationSeconds) || expirationSeconds < min || expirationSeconds > 2 ** 32) {
      const floor = min === 600 ? '10 minutes' : `${min} seconds`;
      throw invalid(sa, `spec.expirationSeconds: Invalid value: ${JSON.stringify(spec.expirationSeconds)}: may not specify a duration less than ${floor}`);
    }
    if (tokens.maxExpirationSeconds > 0) expirationSeconds = Math.min(expirationSeconds, tokens.maxExpirationSeconds);
    const bound = spec.boundObjectRef;
    if (bound && bound.kind !== 'Pod' && bound.kind !== 'Secret') {
      throw invalid(sa, `spec.boundObjectRef.kind: Unsupported value: ${JSON.stringify(bound.kind)}: supported values: "Pod", "Secret"`);
    }
    const pod = bound?.kind === 'Pod' && bound.name ? boundPod(sa, bound.name, bound.uid, pods?.()) : undefined;
    const secret = bound?.kind === 'Secret' && bound.name ? boundSecret(sa, bound.name, bound.uid, secrets?.()) : undefined;
    // NodeRestriction: a kubelet may only get tokens bound to a pod scheduled on it.
    const node = ctx ? nodeNameOf(ctx.user) : undefined;
    if (node && (!pod || pod.nodeName !== node)) {
      const why = pod ? 'node requested token bound to a pod scheduled on a different node' : 'node requested token not bound to a pod';
      throw new ApiError('Forbidden', `serviceaccounts "${sa.metadata?.name}" is forbidden: ${why}`, { name: sa.metadata?.name, kind: 'serviceaccounts' });
    }
    // Kubernetes' --service-account-extend-token-expiration: the kubelet's 3607 s projected tokens
    // for the API live a year (clients that never re-read the file keep working), with `warnafter`;
    // the answer still says 3607 s so the kubelet rotates as usual.
    const forApi = !spec.audiences?.length || spec.audiences.every((x) => tokens.apiAudiences.includes(x));
    const extend = tokens.extendExpiration && !!pod && expirationSeconds === PROJECTED_SECONDS && forApi;
    const issued = tokens.issue({
      namespace: sa.metadata?.namespace ?? '', serviceAccount: sa.metadata?.name ?? '', serviceAccountUID: sa.metadata?.uid,
      audiences: spec.audiences ?? [], expirationSeconds: extend ? EXTENDED_SECONDS : expirationSeconds, warnAfterSeconds: extend ? expirationSeconds : undefined,
      pod: pod ? { name: pod.name, uid: pod.uid } : undefined,
      node: pod?.nodeName ? { name: pod.nodeName } : undefined,
      secret,
    });
    return {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { name: sa.metadata?.name, namespace: sa.metadata?.namespace, creationTimestamp: new Date().toISOString() },
      spec: { audiences: spec.audiences?.length ? spec.audiences : tokens.apiAudiences, expirationSeconds, boundObjectRef: bound ? { ...bound, ...(pod?.uid ? { uid: pod.uid } : {}), ...(secret?.uid ? { uid: secret.uid } : {}) } : null },
      status: { token: issued.token, expirationTimestamp: extend ? new Date(Date.now() + expirationSeconds * 1000).toISOString() : issued.expirationTimestamp },
    } as KObject;
  };
}
