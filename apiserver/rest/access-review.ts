/**
 * SelfSubjectAccessReview (authorization.k8s.io/v1, what `kubectl auth can-i` posts): a virtual,
 * create-only resource answered by asking the configured authorizer, never stored.
 */
import { ApiError, isApiError } from '../../lib/errors.js';
import { AuthorizationDenied } from '../auth/authz.js';
import type { KObject } from '../../lib/api/object.js';
import type { ResourceDef, UserInfo } from '../registry/types.js';
import type { RequestInfo } from './request-info.js';

/** Discovery identity of the virtual resource. */
export const SELF_SUBJECT_ACCESS_REVIEWS: ResourceDef = {
  group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview',
  listKind: 'SelfSubjectAccessReviewList', singular: 'selfsubjectaccessreview', namespaced: false, verbs: ['create'],
};

/** True when the request targets the virtual resource. */
export function isAccessReview(info: RequestInfo): boolean {
  return info.kind === 'resource' && info.group === SELF_SUBJECT_ACCESS_REVIEWS.group && info.resource === SELF_SUBJECT_ACCESS_REVIEWS.resource;
}

interface ResourceAttributes { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }

/** Answers a review: `status.allowed` from `authorize` (no authorizer = AlwaysAllow). */
export function reviewAccess(body: KObject, user: UserInfo, authorize?: (user: UserInfo, info: RequestInfo) => void): KObject {
  const spec = (body.spec ?? {}) as { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: { path?: string; verb?: string } };
  const ra = spec.resourceAttributes;
  if (!ra && !spec.nonResourceAttributes) {
    throw new ApiError('Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  const info: RequestInfo = ra
    ? { kind: 'resource', group: ra.group ?? '', version: ra.version ?? '', resource: ra.resource ?? '', namespace: ra.namespace || undefined, name: ra.name || undefined, subresource: ra.subresource || undefined, verb: ra.verb ?? '' }
    : { kind: 'unknown' };
  let allowed = true;
  let reason: string | undefined;
  let denied = true;
  try {
    authorize?.(user, info);
  } catch (err) {
    if (!isApiError(err, 'Forbidden')) throw err;
    allowed = false;
    // As Kubernetes: the authorizers' reason (none for a plain RBAC denial, so `kubectl auth can-i`
    // prints just "no"), and `denied` only for an explicit deny, not for "nobody allowed it".
    if (err instanceof AuthorizationDenied) ({ reason, denied } = { reason: err.decision.reason, denied: err.decision.decision === 'deny' });
    else reason = err.message;
  }
  const status: Record<string, unknown> = { allowed };
  if (!allowed && denied) status.denied = true;
  if (!allowed && reason) status.reason = reason;
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status };
}

/** Discovery identity of SubjectAccessReview (a review for a user the spec names; controllers acting for others ask it). */
export const SUBJECT_ACCESS_REVIEWS: ResourceDef = {
  group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview',
  listKind: 'SubjectAccessReviewList', singular: 'subjectaccessreview', namespaced: false, verbs: ['create'],
};

/** True when the request targets SubjectAccessReview. */
export function isSubjectAccessReview(info: RequestInfo): boolean {
  return info.kind === 'resource' && info.group === SUBJECT_ACCESS_REVIEWS.group && info.resource === SUBJECT_ACCESS_REVIEWS.resource;
}

/** The user a SubjectAccessReview's spec names (user, uid, groups, extra). */
export function reviewedUser(body: KObject): UserInfo {
  const spec = (body.spec ?? {}) as { user?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  if (!spec.user && !spec.groups?.length) {
    throw new ApiError('Invalid', 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified', { causes: [{ field: 'spec.user', reason: 'FieldValueInvalid', message: 'at least one of user or group must be specified' }] });
  }
  return { username: spec.user ?? '', ...(spec.uid ? { uid: spec.uid } : {}), groups: spec.groups ?? [], ...(spec.extra ? { extra: spec.extra } : {}) };
}

/** Answers a SubjectAccessReview: reviewAccess for the user its spec names. */
export function reviewSubjectAccess(body: KObject, authorize?: (user: UserInfo, info: RequestInfo) => void): KObject {
  return { ...reviewAccess(body, reviewedUser(body), authorize), kind: 'SubjectAccessReview' };
}
