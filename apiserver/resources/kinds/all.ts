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

/** Behaviour of each kind that has any beyond the defaults. */
export const KIND_BEHAVIOURS: Record<string, KindBehaviour> = {
  pods,
  services,
  endpoints,
  'endpointslices.discovery.k8s.io': endpointSlices,
  replicationcontrollers: replicationControllers,
  'deployments.apps': deployments,
  'replicasets.apps': replicaSets,
  'statefulsets.apps': statefulSets,
  'daemonsets.apps': daemonSets,
  'jobs.batch': jobs,
  'cronjobs.batch': cronJobs,
};
