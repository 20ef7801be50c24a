/**
 * The identity of every built-in kind, as `kubectl api-resources` shows it on Kubernetes 1.32:
 * group/version, plural, kind, short names, categories, subresources and verbs.
 * Behaviour (defaults, validation, printing) is attached per kind in kinds/.
 */
import type { ResourceDef } from '../registry/types.js';

/** Verbs of an ordinary resource. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The identity part of a ResourceDef. */
export type Identity = Pick<ResourceDef, 'group' | 'version' | 'resource' | 'kind' | 'listKind' | 'singular' | 'namespaced' | 'shortNames' | 'categories' | 'subresources' | 'verbs' | 'hasSpec'>;

interface Spec {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  short?: string[];
  all?: boolean;
  sub?: string[];
  verbs?: string[];
  hasSpec?: boolean;
}

const SPECS: Spec[] = [
  // core/v1
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, short: ['ns'], sub: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, short: ['no'], sub: ['status', 'proxy'] },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, short: ['po'], all: true, sub: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, short: ['svc'], all: true, sub: ['status', 'proxy'] },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true, short: ['ep'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, short: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, short: ['sa'], sub: ['token'] },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, short: ['ev'] },
  { group: '', version: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true, short: ['rc'], all: true, sub: ['status', 'scale'], hasSpec: true },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, short: ['pv'], sub: ['status'] },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true, short: ['pvc'], sub: ['status'] },
  { group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', namespaced: true, short: ['quota'], sub: ['status'] },
  { group: '', version: 'v1', resource: 'limitranges', kind: 'LimitRange', namespaced: true, short: ['limits'] },
  { group: '', version: 'v1', resource: 'podtemplates', kind: 'PodTemplate', namespaced: true },
  { group: '', version: 'v1', resource: 'componentstatuses', kind: 'ComponentStatus', namespaced: false, short: ['cs'], verbs: ['get', 'list'] },
  // apps/v1
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, short: ['deploy'], all: true, sub: ['status', 'scale'], hasSpec: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, short: ['rs'], all: true, sub: ['status', 'scale'], hasSpec: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, short: ['sts'], all: true, sub: ['status', 'scale'], hasSpec: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, short: ['ds'], all: true, sub: ['status'], hasSpec: true },
  { group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true },
  // batch/v1
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true, all: true, sub: ['status'], hasSpec: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true, short: ['cj'], all: true, sub: ['status'], hasSpec: true },
  // autoscaling/v2
  { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, short: ['hpa'], all: true, sub: ['status'], hasSpec: true },
  // autoscaling/v1 (served over the v2 storage; `kubectl autoscale` posts this version)
  { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, short: ['hpa'], sub: ['status'], hasSpec: true },
  // certificates.k8s.io/v1
  { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', kind: 'CertificateSigningRequest', namespaced: false, short: ['csr'], sub: ['status', 'approval'] },
  // coordination.k8s.io/v1
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true },
  // events.k8s.io/v1 (the same events as core/v1, another shape)
  { group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, short: ['ev'] },
  // rbac.authorization.k8s.io/v1
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  // storage.k8s.io/v1
  { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false, short: ['sc'] },
  // networking.k8s.io/v1
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true, short: ['ing'], sub: ['status'], hasSpec: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', kind: 'IngressClass', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true, short: ['netpol'], hasSpec: true },
  // discovery.k8s.io/v1
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  // policy/v1
  { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, short: ['pdb'], sub: ['status'], hasSpec: true },
  // scheduling.k8s.io/v1
  { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, short: ['pc'] },
];

/** Identities of every built-in kind, in a stable order (core first, as discovery lists them). */
export function identities(): Identity[] {
  return SPECS.map((s) => ({
    group: s.group,
    version: s.version,
    resource: s.resource,
    kind: s.kind,
    listKind: `${s.kind}List`,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced,
    shortNames: s.short ?? [],
    categories: s.all ? ['all'] : [],
    subresources: s.sub ?? [],
    verbs: s.verbs ?? STANDARD_VERBS,
    hasSpec: s.hasSpec ?? false,
  }));
}
