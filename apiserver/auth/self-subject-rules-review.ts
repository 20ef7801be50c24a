/**
 * SelfSubjectRulesReview (authorization.k8s.io/v1, what `kubectl auth can-i --list` posts): the
 * caller's RBAC rules in a namespace (cluster-wide bindings plus that namespace's), split into
 * resource and non-resource rules as Kubernetes answers; without RBAC (everyone allowed) one
 * rule allowing everything. A virtual, create-only resource, never stored.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ResourceDef, UserInfo } from '../registry/types.js';
import type { RequestInfo } from '../rest/request-info.js';
import { rulesFor, type PolicyRule, type RbacSource } from './rbac.js';

/** Discovery identity of the virtual resource. */
export const SELF_SUBJECT_RULES_REVIEWS: ResourceDef = {
  group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview',
  listKind: 'SelfSubjectRulesReviewList', singular: 'selfsubjectrulesreview', namespaced: false, verbs: ['create'],
};

/** True when the request targets the virtual resource. */
export function isRulesReview(info: RequestInfo): boolean {
  return info.kind === 'resource' && info.group === SELF_SUBJECT_RULES_REVIEWS.group && info.resource === SELF_SUBJECT_RULES_REVIEWS.resource;
}

const ALL: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

/**
 * The answer for `user`: from `rbac`; `undefined` when every request is allowed (no authorizer:
 * the insecure port, AlwaysAllow); `null` when the modes in use cannot list rules (incomplete).
 */
export function rulesReview(body: KObject, user: UserInfo, rbac: RbacSource | null | undefined): KObject {
  const spec = ((body.spec ?? {}) as { namespace?: string });
  const rules = rbac ? rulesFor(rbac, user, spec.namespace || undefined) : rbac === null ? [] : ALL;
  const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({
    verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
  }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: { creationTimestamp: null }, spec,
    // Only RBAC rules are enumerated (Node, ABAC, AlwaysDeny are not): without RBAC the list is incomplete.
    status: { resourceRules, nonResourceRules, incomplete: rbac === null },
  } as unknown as KObject;
}
