/** ResourceTargets of the built-in resources components use, so call sites read `{ ...R.pods, namespace }`. */
import type { ResourceTarget } from './api-client.js';

const core = (resource: string): ResourceTarget => ({ group: '', resource });
const of = (group: string, resource: string): ResourceTarget => ({ group, resource });

/** Built-in resources by plural name. */
export const R = {
  pods: core('pods'), nodes: core('nodes'), namespaces: core('namespaces'), services: core('services'),
  endpoints: core('endpoints'), configmaps: core('configmaps'), secrets: core('secrets'), events: core('events'),
  serviceaccounts: core('serviceaccounts'), replicationcontrollers: core('replicationcontrollers'),
  persistentvolumes: core('persistentvolumes'), persistentvolumeclaims: core('persistentvolumeclaims'),
  resourcequotas: core('resourcequotas'), limitranges: core('limitranges'), podtemplates: core('podtemplates'),
  deployments: of('apps', 'deployments'), replicasets: of('apps', 'replicasets'), statefulsets: of('apps', 'statefulsets'),
  daemonsets: of('apps', 'daemonsets'), controllerrevisions: of('apps', 'controllerrevisions'),
  jobs: of('batch', 'jobs'), cronjobs: of('batch', 'cronjobs'),
  leases: of('coordination.k8s.io', 'leases'), endpointslices: of('discovery.k8s.io', 'endpointslices'),
  horizontalpodautoscalers: of('autoscaling', 'horizontalpodautoscalers'),
  ingresses: of('networking.k8s.io', 'ingresses'), ingressclasses: of('networking.k8s.io', 'ingressclasses'),
  networkpolicies: of('networking.k8s.io', 'networkpolicies'), poddisruptionbudgets: of('policy', 'poddisruptionbudgets'),
  priorityclasses: of('scheduling.k8s.io', 'priorityclasses'), storageclasses: of('storage.k8s.io', 'storageclasses'),
  roles: of('rbac.authorization.k8s.io', 'roles'), clusterroles: of('rbac.authorization.k8s.io', 'clusterroles'),
  rolebindings: of('rbac.authorization.k8s.io', 'rolebindings'), clusterrolebindings: of('rbac.authorization.k8s.io', 'clusterrolebindings'),
} as const satisfies Record<string, ResourceTarget>;
