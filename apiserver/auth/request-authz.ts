/**
 * `--authorization-mode` for both facades: a synchronous union of authorizers (system:masters
 * first, then the modes in order, the first allow or deny wins, nobody deciding is a deny) over
 * REST RequestInfo or gRPC attributes. RBAC reads a live RbacCache, loaded before serving, and
 * the default roles are created first so a fresh cluster is usable at once.
 */
import { readFileSync } from 'node:fs';
import { ApiError } from '../../lib/errors.js';
import { abacDecide, parseAbacPolicies } from './abac.js';
import { nodeDecide } from './node-authz.js';
import { NodeGraph } from './node-graph.js';
import type { Registry, UserInfo } from '../registry/types.js';
import type { RequestInfo } from '../rest/request-info.js';
import type { GrpcAuthorizer } from '../grpc/handlers.js';
import { AuthorizationDenied, forbiddenMessage, type AuthzAttributes, type Decision } from './authz.js';
import { rbacDecide, type RbacSource } from './rbac.js';
import { RbacCache } from './rbac-cache.js';
import { ensureBootstrapPolicy } from './bootstrap-roles.js';
import { logLine } from '../rest/log.js';

/** A synchronous authorizer (decisions come from memory). */
export type SyncAuthorizer = (a: AuthzAttributes) => Decision;

/** The wired authorizers of the process. */
export interface BuiltAuthorizer {
  /** For the REST handler; undefined when the only mode is AlwaysAllow. */
  rest?: (user: UserInfo, info: RequestInfo) => void;
  grpc: GrpcAuthorizer;
  /** The decision for attributes (SelfSubjectAccessReview, escalation checks). */
  decide: SyncAuthorizer;
  /** The RBAC objects, when RBAC is on. */
  rbac?: RbacSource;
  close(): void;
}

/** The path a non-resource RequestInfo stands for (what nonResourceURLs rules match). */
export function nonResourcePath(info: RequestInfo): string {
  switch (info.kind) {
    case 'version': return '/version';
    case 'health': return `/${info.check}`;
    case 'metrics': return '/metrics';
    case 'api': return '/api';
    case 'apis': return '/apis';
    case 'group': return `/apis/${info.group}`;
    case 'groupVersion': return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    case 'openapi': return `/openapi${info.path === '/' ? '' : info.path}`;
    default: return '/';
  }
}

/** Authorization attributes of a REST request. */
export function restAttributes(user: UserInfo, info: RequestInfo): AuthzAttributes {
  if (info.kind === 'resource') {
    return { user, verb: info.verb, resourceRequest: true, group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name };
  }
  return { user, verb: 'get', resourceRequest: false, path: nonResourcePath(info) };
}

/** The union of `authorizers` (system:masters always allowed). */
export function unionAuthorizer(authorizers: SyncAuthorizer[]): SyncAuthorizer {
  return (a) => {
    if (a.user.groups.includes('system:masters')) return { decision: 'allow', reason: 'system:masters' };
    // As kube-apiserver's union: the reasons of authorizers without an opinion are kept, so a
    // plain RBAC denial has none and a kubelet's denial says what the Node authorizer missed.
    const reasons: string[] = [];
    for (const authz of authorizers) {
      const d = authz(a);
      if (d.decision !== 'no-opinion') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return reasons.length ? { decision: 'no-opinion', reason: reasons.join('\n') } : { decision: 'no-opinion' };
  };
}

/** Throws Kubernetes' 403 unless `decide` allows. */
export function enforce(decide: SyncAuthorizer, a: AuthzAttributes): void {
  const d = decide(a);
  if (d.decision === 'allow') return;
  // RBAC denials carry no reason in Kubernetes' message; AlwaysDeny and Node say why.
  throw new AuthorizationDenied(forbiddenMessage(a, d.reason), d, { name: a.name, group: a.group || undefined, kind: a.resource });
}

/** Builds the authorizer of `--authorization-mode` (may start the RBAC cache). */
export async function buildAuthorizer(modes: string, registry: Registry, abacPolicyFile?: string): Promise<BuiltAuthorizer> {
  const list = modes.split(',').map((m) => m.trim()).filter(Boolean);
  if (!list.length) throw new Error('--authorization-mode must name at least one mode');
  const stop = new AbortController();
  let rbac: RbacCache | undefined;
  const authorizers: SyncAuthorizer[] = [];
  for (const mode of list) {
    if (mode === 'AlwaysAllow') authorizers.push(() => ({ decision: 'allow' }));
    else if (mode === 'AlwaysDeny') authorizers.push(() => ({ decision: 'no-opinion', reason: 'Everything is forbidden.' }));
    else if (mode === 'Node') {
      // The Node authorizer follows which pods each node runs and what they reference.
      const graph = new NodeGraph(registry);
      await graph.start(stop.signal);
      authorizers.push((a) => nodeDecide(a, graph));
    }
    else if (mode === 'ABAC') {
      if (!abacPolicyFile) throw new Error('--authorization-mode ABAC needs --authorization-policy-file');
      const policies = parseAbacPolicies(readFileSync(abacPolicyFile, 'utf8'));
      authorizers.push((a) => abacDecide(policies, a));
    } else if (mode === 'RBAC') {
      const made = await ensureBootstrapPolicy(registry);
      if (made) logLine('info', 'created default RBAC policy', { objects: made });
      rbac = new RbacCache(registry);
      await rbac.start(stop.signal);
      const src = rbac;
      authorizers.push((a) => rbacDecide(src, a));
    } else throw new Error(`unknown --authorization-mode ${mode}: supported are AlwaysAllow, AlwaysDeny, ABAC, Node, RBAC`);
  }
  const decide = unionAuthorizer(authorizers);
  const onlyAllow = list.every((m) => m === 'AlwaysAllow');
  return {
    rest: onlyAllow ? undefined : (user, info) => {
      // /healthz and /version stay reachable for probes whatever the mode (system:public-info-viewer).
      if (info.kind === 'health' || info.kind === 'version') return;
      enforce(decide, restAttributes(user, info));
    },
    grpc: async (a) => enforce(decide, a),
    decide,
    rbac,
    close: () => stop.abort(),
  };
}
