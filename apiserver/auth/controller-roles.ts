/**
 * Least privilege for the controller manager (Kubernetes' bootstrap controller policy, written
 * for the controllers kubesim runs): with `--use-service-account-credentials` every controller
 * acts as its own ServiceAccount in kube-system, bound to ClusterRole
 * `system:controller:<account>` holding only what that controller reads and writes. The
 * controller manager's own identity (system:kube-controller-manager) keeps what it needs to
 * start: its leader Lease, events, list/watch for the shared informers, legacy token Secrets,
 * and, in kube-system only, creating the controllers' ServiceAccounts and their tokens.
 *
 * Where our controllers do a little more than Kubernetes' do, the role says so (the Job
 * controller also removes finished Jobs after ttlSecondsAfterFinished, the volume binder
 * installs the built-in StorageClasses).
 */
import type { PolicyRule } from './rbac.js';

const READ = ['get', 'list', 'watch'];
const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const events = r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

/** The rules of ClusterRole system:kube-controller-manager (the process's own identity). */
export const CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  events,
  // Leader election: create the Lease once, then only touch its own.
  r(['create'], ['coordination.k8s.io'], ['leases']),
  r(['get', 'update', 'patch'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  // Legacy token Secrets (the serviceaccount-token controller runs as the controller manager).
  r(['create', 'update', 'delete'], [''], ['secrets']),
  r(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
  // Checks of API access (these creates change nothing).
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // The shared informers every controller reads from.
  r(['list', 'watch'], ['*'], ['*']),
];

/**
 * The rules of Role kube-system/system::kube-controller-manager-identities: the controllers'
 * ServiceAccounts and their tokens, only there (Kubernetes grants token creation cluster-wide).
 */
export const CONTROLLER_MANAGER_KUBE_SYSTEM_RULES: PolicyRule[] = [
  r(['get', 'create'], [''], ['serviceaccounts']),
  r(['create'], [''], ['serviceaccounts/token']),
];

/**
 * Controllers whose work lies in kube-system only: ServiceAccount name → the rules of a Role
 * system:controller:<name> in kube-system (as Kubernetes' namespaced controller policy).
 */
export const CONTROLLER_KUBE_SYSTEM_ROLES: Record<string, PolicyRule[]> = {
  // Bootstrap token Secrets live in kube-system; the cleaner deletes the expired ones there.
  'token-cleaner': [r([...READ, 'delete'], [''], ['secrets']), r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events'])],
};

/** ServiceAccount name → its rules (ClusterRole system:controller:<name>). */
export const CONTROLLER_ROLES: Record<string, PolicyRule[]> = {
  'replicaset-controller': [
    r([...READ, 'update'], ['apps'], ['replicasets']),
    r(['update'], ['apps'], ['replicasets/status', 'replicasets/finalizers']),
    r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    events,
  ],
  'replication-controller': [
    r([...READ, 'update'], [''], ['replicationcontrollers']),
    r(['update'], [''], ['replicationcontrollers/status', 'replicationcontrollers/finalizers']),
    r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    events,
  ],
  'deployment-controller': [
    r([...READ, 'update', 'patch'], ['apps'], ['deployments']),
    r(['update'], ['apps'], ['deployments/status', 'deployments/finalizers']),
    r([...READ, 'create', 'update', 'patch', 'delete'], ['apps'], ['replicasets']),
    r([...READ, 'update'], [''], ['pods']),
    events,
  ],
  'statefulset-controller': [
    r(READ, ['apps'], ['statefulsets']),
    r(['update'], ['apps'], ['statefulsets/status', 'statefulsets/finalizers']),
    r([...READ, 'create', 'update', 'patch', 'delete'], [''], ['pods']),
    r(['update'], [''], ['pods/finalizers']),
    r([...READ, 'create', 'update', 'patch', 'delete'], ['apps'], ['controllerrevisions']),
    r([...READ, 'create', 'update', 'delete'], [''], ['persistentvolumeclaims']),
    events,
  ],
  'daemon-set-controller': [
    r(READ, ['apps'], ['daemonsets']),
    r(['update'], ['apps'], ['daemonsets/status', 'daemonsets/finalizers']),
    r(['list', 'watch'], [''], ['nodes']),
    r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    r(['create'], [''], ['pods/binding']),
    r([...READ, 'create', 'update', 'patch', 'delete'], ['apps'], ['controllerrevisions']),
    events,
  ],
  'job-controller': [
    // delete: ours also removes finished Jobs after ttlSecondsAfterFinished (Kubernetes: ttl-after-finished-controller).
    r([...READ, 'update', 'patch', 'delete'], ['batch'], ['jobs']),
    r(['update'], ['batch'], ['jobs/status', 'jobs/finalizers']),
    r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
    events,
  ],
  'cronjob-controller': [
    r([...READ, 'update'], ['batch'], ['cronjobs']),
    r([...READ, 'create', 'update', 'patch', 'delete'], ['batch'], ['jobs']),
    r(['update'], ['batch'], ['cronjobs/status', 'cronjobs/finalizers']),
    r(['list', 'watch', 'delete'], [''], ['pods']),
    events,
  ],
  'endpoint-controller': [
    r(READ, [''], ['services', 'pods']),
    r([...READ, 'create', 'update', 'delete'], [''], ['endpoints']),
    r(['create'], [''], ['endpoints/restricted']),
    events,
  ],
  'endpointslice-controller': [
    r(READ, [''], ['services', 'pods', 'nodes']),
    r(['update'], [''], ['services/finalizers']),
    r([...READ, 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
    events,
  ],
  'namespace-controller': [
    r([...READ, 'delete'], [''], ['namespaces']),
    r(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
    r([...READ, 'delete', 'deletecollection'], ['*'], ['*']),
  ],
  'service-account-controller': [r(['create'], [''], ['serviceaccounts']), events],
  'root-ca-cert-publisher': [r(['create', 'update'], [''], ['configmaps']), events],
  'generic-garbage-collector': [r([...READ, 'patch', 'update', 'delete'], ['*'], ['*']), events],
  'node-controller': [
    r([...READ, 'update', 'patch', 'delete'], [''], ['nodes']),
    r(['update', 'patch'], [''], ['nodes/status', 'pods/status']),
    r([...READ, 'delete'], [''], ['pods']),
    events,
  ],
  'pod-garbage-collector': [
    r(['list', 'watch', 'delete'], [''], ['pods']),
    r(READ, [''], ['nodes']),
    r(['patch'], [''], ['pods/status']),
  ],
  'persistent-volume-binder': [
    r([...READ, 'create', 'update', 'patch', 'delete'], [''], ['persistentvolumes']),
    r(['update'], [''], ['persistentvolumes/status', 'persistentvolumeclaims/status']),
    r([...READ, 'update', 'patch'], [''], ['persistentvolumeclaims']),
    r([...READ, 'create', 'delete'], [''], ['pods']),
    // create: ours installs the built-in StorageClasses.
    r([...READ, 'create'], ['storage.k8s.io'], ['storageclasses']),
    r(['list', 'watch'], [''], ['nodes']),
    events,
  ],
  'pvc-protection-controller': [r([...READ, 'update'], [''], ['persistentvolumeclaims']), r(READ, [''], ['pods']), events],
  'pv-protection-controller': [r([...READ, 'update'], [''], ['persistentvolumes']), events],
  'service-controller': [
    r(READ, [''], ['services']),
    r(['update', 'patch'], [''], ['services/status']),
    r(['list', 'watch'], [''], ['nodes']),
    events,
  ],
  'horizontal-pod-autoscaler': [
    r(READ, ['autoscaling'], ['horizontalpodautoscalers']),
    r(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    r(['get', 'update'], ['*'], ['*/scale']),
    r(['list', 'watch'], [''], ['pods']),
    r(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
    r(READ, ['custom.metrics.k8s.io', 'external.metrics.k8s.io'], ['*']),
    events,
  ],
  // csrsigning and csrapproving (Kubernetes runs both as certificate-controller).
  'certificate-controller': [
    r([...READ, 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    r(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    events,
  ],
};
