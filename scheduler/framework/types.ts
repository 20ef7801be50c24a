/**
 * The narrow Kubernetes-JSON shapes of Pod and Node that the scheduler reads. They are
 * structurally compatible with the full generated types (lib/api/types.ts), so the framework
 * stays independent of the transport: anything shaped like a Pod can be scheduled.
 */
import type { KObject, ObjectMeta } from '../../lib/api/object.js';

/** A label selector (`matchLabels` + `matchExpressions`). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** One node selector requirement (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }

/** One node selector term: all its expressions and fields must match. */
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }

/** A pod (anti-)affinity term. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

/** Scheduling-relevant part of `pod.spec.affinity`. */
export interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
  };
  podAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: PodAffinityTerm }[];
  };
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: PodAffinityTerm }[];
  };
}

/** A toleration of a pod. */
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

/** A taint of a node. */
export interface Taint { key: string; value?: string; effect: string; timeAdded?: string }

/** A topology spread constraint. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector;
  minDomains?: number;
  matchLabelKeys?: string[];
}

/** A container's scheduling-relevant fields. */
export interface Container {
  name: string;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  ports?: { containerPort: number; hostPort?: number; hostIP?: string; protocol?: string }[];
  restartPolicy?: string;
  [extra: string]: unknown;
}

/** A pod as the scheduler reads it. */
export interface Pod extends KObject {
  metadata: ObjectMeta & { name: string; namespace?: string };
  spec: {
    nodeName?: string;
    schedulerName?: string;
    nodeSelector?: Record<string, string>;
    affinity?: Affinity;
    tolerations?: Toleration[];
    topologySpreadConstraints?: TopologySpreadConstraint[];
    containers: Container[];
    initContainers?: Container[];
    overhead?: Record<string, string | number>;
    priority?: number;
    preemptionPolicy?: string;
    [extra: string]: unknown;
  };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; nominatedNodeName?: string; [extra: string]: unknown };
}

/** A node as the scheduler reads it. */
export interface Node extends KObject {
  metadata: ObjectMeta & { name: string };
  spec?: { unschedulable?: boolean; taints?: Taint[]; [extra: string]: unknown };
  status?: { allocatable?: Record<string, string | number>; capacity?: Record<string, string | number>; [extra: string]: unknown };
}

/** `namespace/name` of a pod (namespace defaults to `default`). */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}
