/**
 * Kind ↔ resource table for the kinds the page can show, apply, scale and delete. The apiserver
 * has its own registry of kinds; the dashboard only needs these, with whether they are namespaced.
 */
import type { ResourceTarget } from '../../lib/client/api-client.js';
import { R } from '../../lib/client/resources.js';
import { ApiError } from '../../lib/errors.js';

/** A kind the dashboard knows: where it lives and whether it is namespaced. */
export interface KindInfo { target: ResourceTarget; namespaced: boolean; scalable?: boolean }

/** Known kinds by Kind name. */
export const KINDS: Record<string, KindInfo> = {
  Node: { target: R.nodes, namespaced: false },
  Namespace: { target: R.namespaces, namespaced: false },
  Pod: { target: R.pods, namespaced: true },
  Service: { target: R.services, namespaced: true },
  Endpoints: { target: R.endpoints, namespaced: true },
  ConfigMap: { target: R.configmaps, namespaced: true },
  Secret: { target: R.secrets, namespaced: true },
  Event: { target: R.events, namespaced: true },
  ServiceAccount: { target: R.serviceaccounts, namespaced: true },
  PersistentVolumeClaim: { target: R.persistentvolumeclaims, namespaced: true },
  PersistentVolume: { target: R.persistentvolumes, namespaced: false },
  Deployment: { target: R.deployments, namespaced: true, scalable: true },
  ReplicaSet: { target: R.replicasets, namespaced: true, scalable: true },
  StatefulSet: { target: R.statefulsets, namespaced: true, scalable: true },
  DaemonSet: { target: R.daemonsets, namespaced: true },
  ReplicationController: { target: R.replicationcontrollers, namespaced: true, scalable: true },
  Job: { target: R.jobs, namespaced: true },
  CronJob: { target: R.cronjobs, namespaced: true },
  Ingress: { target: R.ingresses, namespaced: true },
  NetworkPolicy: { target: R.networkpolicies, namespaced: true },
  HorizontalPodAutoscaler: { target: R.horizontalpodautoscalers, namespaced: true },
  PodDisruptionBudget: { target: R.poddisruptionbudgets, namespaced: true },
  Role: { target: R.roles, namespaced: true },
  RoleBinding: { target: R.rolebindings, namespaced: true },
  ClusterRole: { target: R.clusterroles, namespaced: false },
  ClusterRoleBinding: { target: R.clusterrolebindings, namespaced: false },
};

/** The info for `kind`, or a BadRequest-style Invalid error naming the kinds that work. */
export function kindInfo(kind: unknown): KindInfo {
  const info = typeof kind === 'string' ? KINDS[kind] : undefined;
  if (!info) throw new ApiError('BadRequest', `the dashboard does not handle kind ${JSON.stringify(kind)}; known kinds: ${Object.keys(KINDS).join(', ')}`);
  return info;
}

/** The ResourceTarget of one object of `kind` (namespace defaulted to "default" for namespaced kinds). */
export function targetOf(kind: unknown, namespace?: string): ResourceTarget & { namespaced: boolean } {
  const info = kindInfo(kind);
  return { ...info.target, namespace: info.namespaced ? (namespace || 'default') : undefined, namespaced: info.namespaced };
}
