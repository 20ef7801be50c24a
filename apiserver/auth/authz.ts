/**
 * The authorization chain of `--authorization-mode` (a comma list, tried in order, as
 * kube-apiserver's union authorizer): AlwaysAllow, AlwaysDeny; members of system:masters are
 * always allowed. RBAC and Node authorizers plug in here later.
 */
import { ApiError } from '../../lib/errors.js';
import type { UserInfo } from '../registry/types.js';

/** What is being asked (Kubernetes' authorizer.Attributes). */
export interface AuthzAttributes {
  user: UserInfo;
  verb: string;
  /** True for API resource requests, false for non-resource paths (/healthz, /version, ...). */
  resourceRequest: boolean;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

/** A decision with an optional reason (logged, shown in Forbidden messages). */
export interface Decision { decision: 'allow' | 'deny' | 'no-opinion'; reason?: string }

/** One authorizer, registered by mode name. */
export interface Authorizer { name: string; authorize(a: AuthzAttributes): Decision | Promise<Decision> }

/** The 403 of a denied request, carrying the decision (SelfSubjectAccessReview reports its reason). */
export class AuthorizationDenied extends ApiError {
  constructor(message: string, readonly decision: Decision, details?: ConstructorParameters<typeof ApiError>[2]) {
    super('Forbidden', message, details);
  }
}

/** Allows everything. */
export const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: () => ({ decision: 'allow' }) };
/** Denies everything. */
export const alwaysDeny: Authorizer = { name: 'AlwaysDeny', authorize: () => ({ decision: 'deny', reason: 'Everything is forbidden.' }) };
/** system:masters may do anything, whatever the modes. */
export const privilegedGroups: Authorizer = {
  name: 'PrivilegedGroups',
  authorize: (a) => ({ decision: a.user.groups.includes('system:masters') ? 'allow' : 'no-opinion' }),
};

const MODES: Record<string, Authorizer> = { AlwaysAllow: alwaysAllow, AlwaysDeny: alwaysDeny };

/** Kubernetes' Forbidden message for a denied request. */
export function forbiddenMessage(a: AuthzAttributes, reason?: string): string {
  const suffix = reason ? `: ${reason}` : '';
  if (!a.resourceRequest) return `forbidden: User "${a.user.username}" cannot ${a.verb} path "${a.path ?? ''}"${suffix}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const subject = a.name ? `${a.resource} "${a.name}"` : a.resource;
  const ns = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${subject} is forbidden: User "${a.user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group ?? ''}"${ns}${suffix}`;
}

/** Tries authorizers in order: the first allow or deny decides; nobody deciding is a deny. */
export class AuthorizationChain {
  constructor(private readonly authorizers: Authorizer[]) {}

  /** Builds the chain from `--authorization-mode` (e.g. 'AlwaysAllow' or 'AlwaysDeny'). */
  static fromModes(modes: string | string[]): AuthorizationChain {
    const list = (Array.isArray(modes) ? modes : modes.split(',')).map((m) => m.trim()).filter(Boolean);
    if (!list.length) throw new Error('--authorization-mode must name at least one mode');
    const unknown = list.filter((m) => !MODES[m]);
    if (unknown.length) throw new Error(`unknown --authorization-mode ${unknown.join(',')}: supported are ${Object.keys(MODES).join(', ')}`);
    return new AuthorizationChain([privilegedGroups, ...list.map((m) => MODES[m])]);
  }

  /** Mode names in order (for logs). */
  names(): string[] { return this.authorizers.map((a) => a.name); }

  /** The decision of the chain. */
  async decide(a: AuthzAttributes): Promise<Decision> {
    for (const authz of this.authorizers) {
      const d = await authz.authorize(a);
      if (d.decision !== 'no-opinion') return d;
    }
    return { decision: 'deny', reason: 'no authorizer allowed the request' };
  }

  /** Throws 403 Forbidden (Kubernetes' wording) unless allowed. */
  async authorize(a: AuthzAttributes): Promise<void> {
    const d = await this.decide(a);
    if (d.decision === 'allow') return;
    throw new ApiError('Forbidden', forbiddenMessage(a, d.reason), { name: a.name, group: a.group || undefined, kind: a.resource });
  }
}
