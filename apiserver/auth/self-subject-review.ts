/**
 * SelfSubjectReview (authentication.k8s.io/v1, what `kubectl auth whoami` posts): a virtual,
 * create-only resource answering with the caller's own user info, never stored.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ResourceDef, UserInfo } from '../registry/types.js';
import type { RequestInfo } from '../rest/request-info.js';

/** Discovery identity of the virtual resource. */
export const SELF_SUBJECT_REVIEWS: ResourceDef = {
  group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview',
  listKind: 'SelfSubjectReviewList', singular: 'selfsubjectreview', namespaced: false, verbs: ['create'],
};

/** True when the request targets the virtual resource. */
export function isSelfSubjectReview(info: RequestInfo): boolean {
  return info.kind === 'resource' && info.group === SELF_SUBJECT_REVIEWS.group && info.resource === SELF_SUBJECT_REVIEWS.resource;
}

/** The answer: status.userInfo of the authenticated caller. */
export function selfSubjectReview(user: UserInfo): KObject {
  return {
    apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null },
    status: { userInfo: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } },
  } as unknown as KObject;
}
