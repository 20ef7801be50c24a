/**
 * SubjectAccessReview (authorization.k8s.io/v1) over gRPC: "may this user do this?", answered by
 * the apiserver's authorizers and never stored. Controllers that act for a requester ask it, as
 * kube-controller-manager's csrapproving does before approving a kubelet's certificate request.
 */
import { ApiError, isApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { RequestContext } from '../registry/types.js';
import type { GrpcAuthorizer } from './handlers.js';
import { reviewedUser } from '../rest/access-review.js';

/** The API group and resource of the review. */
export const SUBJECT_ACCESS_REVIEW = { group: 'authorization.k8s.io', resource: 'subjectaccessreviews' };

interface SarSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string };
}

/** Answers a SubjectAccessReview for the caller in `ctx` (who must be allowed to create one). */
export async function reviewSubjectAccess(ctx: RequestContext, body: KObject, authorize?: GrpcAuthorizer): Promise<KObject> {
  await authorize?.({ user: ctx.user, verb: 'create', resourceRequest: true, ...SUBJECT_ACCESS_REVIEW });
  const spec = (body.spec ?? {}) as SarSpec;
  const ra = spec.resourceAttributes;
  if (!ra) throw new ApiError('Invalid', 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Required value: kubesim answers resource requests only');
  const user = reviewedUser(body);
  let status: Record<string, unknown> = { allowed: true };
  try {
    await authorize?.({ user, verb: ra.verb ?? '', resourceRequest: true, group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined });
  } catch (err) {
    if (!isApiError(err, 'Forbidden')) throw err;
    status = { allowed: false, reason: err.message };
  }
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec, status } as KObject;
}
