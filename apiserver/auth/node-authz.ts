/**
 * The Node authorization mode (Kubernetes' node authorizer, reduced): a kubelet (user
 * system:node:<name> in group system:nodes) may write its own Node, node status and Lease, pod
 * status (NodeRestriction checks the pod is on this node) and events, read pods, services and
 * endpoints, and — only for objects a pod bound to it references — get/list/watch one named
 * Secret, ConfigMap, PersistentVolumeClaim or PersistentVolume and create tokens of the pod's
 * ServiceAccount. Anything else is left to the next authorizer with Kubernetes' reason.
 */
import type { AuthzAttributes, Decision } from './authz.js';
import type { NodeRelations, PodRefs } from './node-graph.js';

const READ = new Set(['get', 'list', 'watch']);
const WRITE_OWN = new Set(['create', 'update', 'patch', 'get', 'list', 'watch', 'delete']);

/** The node name of a kubelet identity, or undefined for other users. */
export function nodeNameOf(user: { username: string; groups: string[] }): string | undefined {
  if (!user.groups.includes('system:nodes')) return undefined;
  const m = /^system:node:(.+)$/.exec(user.username);
  return m?.[1];
}

/** Whether a pod on the node references the named object of `res` in `ns`. */
function related(graph: NodeRelations, node: string, res: string, ns: string | undefined, name: string): boolean {
  const pods = graph.podsOn(node);
  const inNs = (p: PodRefs) => p.namespace === ns;
  switch (res) {
    case 'secrets': return pods.some((p) => inNs(p) && p.secrets.includes(name));
    case 'configmaps': return pods.some((p) => inNs(p) && p.configMaps.includes(name));
    case 'persistentvolumeclaims': return pods.some((p) => inNs(p) && p.claims.includes(name));
    case 'persistentvolumes': return pods.some((p) => p.claims.some((c) => graph.volumeOf(p.namespace, c) === name));
    case 'serviceaccounts/token': return pods.some((p) => inNs(p) && p.serviceAccount === name);
    default: return false;
  }
}

/** The Node mode's decision: allow, or no opinion (RBAC may still allow) with the reason Kubernetes gives. */
export function nodeDecide(a: AuthzAttributes, graph?: NodeRelations): Decision {
  const node = nodeNameOf(a.user);
  if (!node || !a.resourceRequest) return { decision: 'no-opinion' };
  const allow = (ok: boolean, reason?: string): Decision => (ok ? { decision: 'allow', reason: 'Node' } : { decision: 'no-opinion', reason });
  const g = a.group ?? '';
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  if (g === '' && (res === 'nodes' || res === 'nodes/status')) return allow(READ.has(a.verb) || (WRITE_OWN.has(a.verb) && (a.name === node || (a.verb === 'create' && !a.name))));
  if (g === 'coordination.k8s.io' && res === 'leases') return allow(a.namespace === 'kube-node-lease' && (READ.has(a.verb) || a.name === node || (a.verb === 'create' && !a.name)));
  if (g === '' && (res === 'pods' || res === 'services' || res === 'endpoints')) return allow(READ.has(a.verb));
  if (g === '' && res === 'pods/status') return allow(a.verb === 'update' || a.verb === 'patch' || a.verb === 'get');
  const graphed = res === 'secrets' || res === 'configmaps' || res === 'persistentvolumeclaims' || res === 'persistentvolumes';
  if (g === '' && (graphed || res === 'serviceaccounts/token')) {
    const verbOk = graphed ? READ.has(a.verb) : a.verb === 'create';
    if (!verbOk) return allow(false, graphed ? 'can only read resources of this type' : 'can only create tokens for individual service accounts');
    if (!a.name) return allow(false, 'No Object name found');
    return allow(!!graph && related(graph, node, res, a.namespace, a.name), `no relationship found between node '${node}' and this object`);
  }
  if ((g === '' || g === 'events.k8s.io') && res === 'events') return allow(a.verb === 'create' || a.verb === 'patch' || a.verb === 'update');
  return { decision: 'no-opinion' };
}
