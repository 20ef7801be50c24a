/**
 * The Node authorization mode (a trimmed version of Kubernetes' node authorizer): a kubelet
 * (user system:node:<name> in group system:nodes) may read what running pods needs, write its own
 * Node, node status and Lease, pod status (NodeRestriction checks the pod is on this node), events,
 * and request tokens. Unlike Kubernetes it does not track which secrets its pods reference: it
 * may get single secrets/configmaps but never list or watch them.
 */
import type { AuthzAttributes, Decision } from './authz.js';

const READ = new Set(['get', 'list', 'watch']);
const WRITE_OWN = new Set(['create', 'update', 'patch', 'get', 'list', 'watch', 'delete']);

/** The node name of a kubelet identity, or undefined for other users. */
export function nodeNameOf(user: { username: string; groups: string[] }): string | undefined {
  if (!user.groups.includes('system:nodes')) return undefined;
  const m = /^system:node:(.+)$/.exec(user.username);
  return m?.[1];
}

/** The Node mode's decision: allow, or no opinion (RBAC may still allow). */
export function nodeDecide(a: AuthzAttributes): Decision {
  const node = nodeNameOf(a.user);
  if (!node || !a.resourceRequest) return { decision: 'no-opinion' };
  const allow = (ok: boolean): Decision => (ok ? { decision: 'allow', reason: 'Node' } : { decision: 'no-opinion' });
  const g = a.group ?? '';
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  if (g === '' && (res === 'nodes' || res === 'nodes/status')) return allow(READ.has(a.verb) || (WRITE_OWN.has(a.verb) && (a.name === node || (a.verb === 'create' && !a.name))));
  if (g === 'coordination.k8s.io' && res === 'leases') return allow(a.namespace === 'kube-node-lease' && (READ.has(a.verb) || a.name === node || (a.verb === 'create' && !a.name)));
  if (g === '' && (res === 'pods' || res === 'services' || res === 'endpoints')) return allow(READ.has(a.verb));
  if (g === '' && res === 'pods/status') return allow(a.verb === 'update' || a.verb === 'patch' || a.verb === 'get');
  if (g === '' && (res === 'secrets' || res === 'configmaps' || res === 'persistentvolumeclaims' || res === 'persistentvolumes')) return allow(a.verb === 'get' && !!a.name);
  if (g === '' && res === 'serviceaccounts/token') return allow(a.verb === 'create');
  if ((g === '' || g === 'events.k8s.io') && res === 'events') return allow(a.verb === 'create' || a.verb === 'patch' || a.verb === 'update');
  return { decision: 'no-opinion' };
}
