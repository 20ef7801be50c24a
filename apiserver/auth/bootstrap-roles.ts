/**
 * The default ClusterRoles and ClusterRoleBindings kube-apiserver creates at start (a trimmed
 * version of its bootstrap policy): cluster-admin, admin/edit/view (aggregated), discovery and
 * public-info roles, and one role per control-plane identity. Existing objects are left alone so
 * an administrator's edits survive restarts.
 */
import { ApiError } from '../../lib/errors.js';
import type { KObject } from '../../lib/api/object.js';
import type { Registry, RequestContext } from '../registry/types.js';
import type { PolicyRule } from './rbac.js';
import { CONTROLLER_KUBE_SYSTEM_ROLES, CONTROLLER_MANAGER_KUBE_SYSTEM_RULES, CONTROLLER_MANAGER_RULES, CONTROLLER_ROLES } from './controller-roles.js';

const SYSTEM: RequestContext = { user: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] } };
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';
const CERTS = 'certificates.k8s.io';
const CSR_NODE_CLIENT = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
const CSR_SELF_NODE_CLIENT = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups, resources });
const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], ['pods', 'pods/log', 'pods/status', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'events', 'limitranges', 'resourcequotas', 'serviceaccounts', 'namespaces']),
  rule(READ, ['apps'], ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'daemonsets']),
  rule(READ, ['batch'], ['jobs', 'cronjobs']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
];
const EDIT_RULES: PolicyRule[] = [
  rule([...READ, ...WRITE], [''], ['pods', 'pods/exec', 'pods/attach', 'pods/portforward', 'services', 'endpoints', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule([...READ, ...WRITE], ['apps'], ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale', 'daemonsets']),
  rule([...READ, ...WRITE], ['batch'], ['jobs', 'cronjobs']),
  rule([...READ, ...WRITE], ['autoscaling'], ['horizontalpodautoscalers']),
  rule([...READ, ...WRITE], ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule([...READ, ...WRITE], ['policy'], ['poddisruptionbudgets']),
];
const ADMIN_RULES: PolicyRule[] = [
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
];
const NODE_RULES: PolicyRule[] = [
  // Secrets, configmaps, volumes and token requests are left to the Node mode, which allows them
  // only for what the node's pods reference (as Kubernetes' node authorizer).
  rule(READ, [''], ['nodes', 'pods', 'services', 'endpoints']),
  rule(['create', 'update', 'patch', 'delete'], [''], ['nodes', 'nodes/status', 'pods', 'pods/status', 'events']),
  rule(['create'], [''], ['pods/eviction']),
  rule([...READ, 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(READ, ['storage.k8s.io', 'node.k8s.io'], ['*']),
  rule(['create', ...READ], [CERTS], ['certificatesigningrequests']),
];
const SCHEDULER_RULES: PolicyRule[] = [
  rule(READ, ['*'], ['*']),
  rule(['create'], [''], ['pods/binding', 'bindings', 'events']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['delete'], [''], ['pods']),
  rule(['create', 'update', 'patch'], ['events.k8s.io'], ['events']),
  rule([...READ, 'create', 'update', 'patch'], ['coordination.k8s.io'], ['leases']),
];
const PROXY_RULES: PolicyRule[] = [
  rule(READ, [''], ['services', 'endpoints', 'nodes']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
];
const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', '/healthz', '/livez', '/readyz'];

function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>, aggregateFrom?: string): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels } },
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${aggregateFrom}`]: 'true' } }] } } : {}),
    rules,
  } as KObject;
}

function binding(name: string, role: string, subjects: { kind: string; name: string; namespace?: string }[]): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    // ServiceAccount subjects are in the core group (apiGroup ""), users and groups in RBAC's.
    subjects: subjects.map((s) => ({ apiGroup: s.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io', ...s })),
  } as KObject;
}

/** The bootstrap ClusterRoles (admin/edit/view aggregate from labelled parts, as in Kubernetes). */
export function defaultClusterRoles(): KObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), { verbs: ['*'], nonResourceURLs: ['*'] }]),
    clusterRole('view', [], undefined, 'view'),
    clusterRole('edit', [], { [`${AGG}admin`]: 'true' }, 'edit'),
    clusterRole('admin', [], undefined, 'admin'),
    clusterRole('system:aggregate-to-view', VIEW_RULES, { [`${AGG}view`]: 'true', [`${AGG}edit`]: 'true' }),
    clusterRole('system:aggregate-to-edit', EDIT_RULES, { [`${AGG}edit`]: 'true' }),
    clusterRole('system:aggregate-to-admin', ADMIN_RULES, { [`${AGG}admin`]: 'true' }),
    clusterRole('system:discovery', [{ verbs: ['get'], nonResourceURLs: DISCOVERY_URLS }]),
    clusterRole('system:basic-user', [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
    clusterRole('system:public-info-viewer', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] }]),
    clusterRole('system:node', NODE_RULES),
    clusterRole('system:kube-scheduler', SCHEDULER_RULES),
    clusterRole('system:kube-controller-manager', CONTROLLER_MANAGER_RULES),
    clusterRole('system:node-proxier', PROXY_RULES),
    // One role per controller, bound to its ServiceAccount (kube-controller-manager --use-service-account-credentials).
    ...Object.entries(CONTROLLER_ROLES).map(([sa, rules]) => clusterRole(`system:controller:${sa}`, rules)),
    // Kubelet TLS bootstrapping: a bootstrap token may ask for a certificate; csrapproving approves
    // what the requester may create as nodeclient (first certificate) or selfnodeclient (renewal).
    clusterRole('system:node-bootstrapper', [rule(['create', ...READ], [CERTS], ['certificatesigningrequests'])]),
    clusterRole(CSR_NODE_CLIENT, [rule(['create'], [CERTS], ['certificatesigningrequests/nodeclient'])]),
    clusterRole(CSR_SELF_NODE_CLIENT, [rule(['create'], [CERTS], ['certificatesigningrequests/selfnodeclient'])]),
  ];
}

/** The bootstrap ClusterRoleBindings. */
export function defaultClusterRoleBindings(): KObject[] {
  return [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    // Discovery stays open to anonymous callers (kubectl's first requests, probes of tools).
    binding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }]),
    binding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }]),
    binding('system:node', 'system:node', [{ kind: 'Group', name: 'system:nodes' }]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [{ kind: 'User', name: 'system:kube-scheduler' }]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [{ kind: 'User', name: 'system:kube-controller-manager' }]),
    binding('system:node-proxier', 'system:node-proxier', [{ kind: 'User', name: 'system:kube-proxy' }, { kind: 'Group', name: 'system:node-proxier' }]),
    ...Object.keys(CONTROLLER_ROLES).map((sa) => binding(`system:controller:${sa}`, `system:controller:${sa}`, [{ kind: 'ServiceAccount', name: sa, namespace: 'kube-system' }])),
    // kubeadm's names for the bootstrap bindings.
    binding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [{ kind: 'Group', name: 'system:bootstrappers' }]),
    binding('kubeadm:node-autoapprove-bootstrap', CSR_NODE_CLIENT, [{ kind: 'Group', name: 'system:bootstrappers' }]),
    binding('kubeadm:node-autoapprove-certificate-rotation', CSR_SELF_NODE_CLIENT, [{ kind: 'Group', name: 'system:nodes' }]),
  ];
}

/**
 * The bootstrap Roles and RoleBindings of kube-system: the controller manager mints its controllers'
 * identities there only, and controllers whose work lies in kube-system (the token cleaner) hold
 * their rights there only.
 */
export function defaultKubeSystemPolicy(): { roles: KObject[]; bindings: KObject[] } {
  const ns = { namespace: 'kube-system' };
  const role = (name: string, rules: PolicyRule[]) => {
    const r = { ...clusterRole(name, rules), kind: 'Role' } as KObject;
    return { ...r, metadata: { ...r.metadata, ...ns } } as KObject;
  };
  const roleBinding = (name: string, subject: { kind: string; name: string; namespace?: string }) => {
    const rb = binding(name, name, [subject]) as KObject & { roleRef: { kind: string } };
    return { ...rb, kind: 'RoleBinding', metadata: { ...rb.metadata, ...ns }, roleRef: { ...rb.roleRef, kind: 'Role' } } as KObject;
  };
  const identities = 'system::kube-controller-manager-identities';
  const controllers = Object.entries(CONTROLLER_KUBE_SYSTEM_ROLES);
  return {
    roles: [role(identities, CONTROLLER_MANAGER_KUBE_SYSTEM_RULES), ...controllers.map(([sa, rules]) => role(`system:controller:${sa}`, rules))],
    bindings: [
      roleBinding(identities, { kind: 'User', name: 'system:kube-controller-manager' }),
      ...controllers.map(([sa]) => roleBinding(`system:controller:${sa}`, { kind: 'ServiceAccount', name: sa, namespace: 'kube-system' })),
    ],
  };
}

/** Creates the default roles and bindings that do not exist yet. */
export async function ensureBootstrapPolicy(registry: Registry): Promise<number> {
  let created = 0;
  const put = async (resource: string, obj: KObject) => {
    try {
      await registry.create(SYSTEM, { group: 'rbac.authorization.k8s.io', version: 'v1', resource }, obj.metadata?.namespace, obj);
      created++;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'AlreadyExists')) throw err;
    }
  };
  for (const r of defaultClusterRoles()) await put('clusterroles', r);
  for (const b of defaultClusterRoleBindings()) await put('clusterrolebindings', b);
  const kubeSystem = defaultKubeSystemPolicy();
  for (const r of kubeSystem.roles) await put('roles', r);
  for (const b of kubeSystem.bindings) await put('rolebindings', b);
  return created;
}
