/**
 * Per-kind behaviour, keyed as `resource` (core) or `resource.group`. Kinds not listed get
 * ObjectMeta validation and the default NAME / CREATED AT table.
 */
import type { KindBehaviour } from '../define.js';
import { pods } from './pods.js';
import { services } from './services.js';
import { endpoints, endpointSlices } from './endpoints.js';
import { deployments } from './deployments.js';
import { replicaSets, replicationControllers } from './replicasets.js';
import { statefulSets } from './statefulsets.js';
import { daemonSets } from './daemonsets.js';
import { jobs, cronJobs } from './jobs.js';
import { nodes, namespaces, events, newEvents, leases, controllerRevisions, componentStatuses } from './cluster.js';
import { configMaps, secrets, serviceAccounts, podTemplates } from './config.js';
import { persistentVolumes, persistentVolumeClaims, storageClasses } from './storage.js';
import { resourceQuotas, limitRanges, podDisruptionBudgets, priorityClasses, horizontalPodAutoscalers } from './policy.js';
import { certificateSigningRequests } from './certificates.js';
import { ingresses, ingressClasses, networkPolicies, roles, clusterRoles, roleBindings, clusterRoleBindings } from './networking.js';

/** Behaviour of each kind that has any beyond the defaults. */
export const KIND_BEHAVIOURS: Record<string, KindBehaviour> = {
  namespaces,
  nodes,
  pods,
  services,
  endpoints,
  configmaps: configMaps,
  secrets,
  serviceaccounts: serviceAccounts,
  events,
  replicationcontrollers: replicationControllers,
  persistentvolumes: persistentVolumes,
  persistentvolumeclaims: persistentVolumeClaims,
  resourcequotas: resourceQuotas,
  limitranges: limitRanges,
  podtemplates: podTemplates,
  componentstatuses: componentStatuses,
  'deployments.apps': deployments,
  'replicasets.apps': replicaSets,
  'statefulsets.apps': statefulSets,
  'daemonsets.apps': daemonSets,
  'controllerrevisions.apps': controllerRevisions,
  'jobs.batch': jobs,
  'cronjobs.batch': cronJobs,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalers,
  'certificatesigningrequests.certificates.k8s.io': certificateSigningRequests,
  'leases.coordination.k8s.io': leases,
  'events.events.k8s.io': newEvents,
  'roles.rbac.authorization.k8s.io': roles,
  'clusterroles.rbac.authorization.k8s.io': clusterRoles,
  'rolebindings.rbac.authorization.k8s.io': roleBindings,
  'clusterrolebindings.rbac.authorization.k8s.io': clusterRoleBindings,
  'storageclasses.storage.k8s.io': storageClasses,
  'ingresses.networking.k8s.io': ingresses,
  'ingressclasses.networking.k8s.io': ingressClasses,
  'networkpolicies.networking.k8s.io': networkPolicies,
  'endpointslices.discovery.k8s.io': endpointSlices,
  'poddisruptionbudgets.policy': podDisruptionBudgets,
  'priorityclasses.scheduling.k8s.io': priorityClasses,
};
