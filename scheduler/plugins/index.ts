/** The in-tree plugin registry and the default profile (filter order and score weights after kube-scheduler 1.27). */
import type { PluginFactory, Profile, Registry } from '../framework/registry.js';
import { BALANCED_ALLOCATION, BalancedAllocation } from './balanced-allocation.js';
import { INTER_POD_AFFINITY, InterPodAffinity } from './inter-pod-affinity.js';
import { NODE_AFFINITY, NodeAffinity } from './node-affinity.js';
import { NODE_NAME, NodeName } from './node-name.js';
import { NODE_PORTS, NodePorts } from './node-ports.js';
import { NODE_RESOURCES_FIT, NodeResourcesFit } from './node-resources-fit.js';
import { NODE_UNSCHEDULABLE, NodeUnschedulable } from './node-unschedulable.js';
import { POD_TOPOLOGY_SPREAD, PodTopologySpread } from './pod-topology-spread.js';
import { SELECTOR_SPREAD, SelectorSpread } from './selector-spread.js';
import { TAINT_TOLERATION, TaintToleration } from './taint-toleration.js';
import { VOLUME_BINDING, VolumeBinding } from './volume-binding.js';

/** A fresh registry holding every in-tree plugin. */
export function inTreeRegistry(): Registry {
  return new Map<string, PluginFactory>([
    [NODE_UNSCHEDULABLE, () => new NodeUnschedulable()],
    [NODE_NAME, () => new NodeName()],
    [TAINT_TOLERATION, () => new TaintToleration()],
    [NODE_AFFINITY, () => new NodeAffinity()],
    [NODE_PORTS, () => new NodePorts()],
    [NODE_RESOURCES_FIT, (args) => new NodeResourcesFit(args)],
    [VOLUME_BINDING, () => new VolumeBinding()],
    [POD_TOPOLOGY_SPREAD, () => new PodTopologySpread()],
    [INTER_POD_AFFINITY, () => new InterPodAffinity()],
    [BALANCED_ALLOCATION, () => new BalancedAllocation()],
    [SELECTOR_SPREAD, () => new SelectorSpread()],
  ]);
}

/** The default scheduler's profile. */
export function defaultProfile(schedulerName = 'default-scheduler'): Profile {
  return {
    schedulerName,
    filters: [NODE_UNSCHEDULABLE, NODE_NAME, TAINT_TOLERATION, NODE_AFFINITY, NODE_PORTS, NODE_RESOURCES_FIT, VOLUME_BINDING, POD_TOPOLOGY_SPREAD, INTER_POD_AFFINITY],
    scores: [
      { name: TAINT_TOLERATION, weight: 3 },
      { name: NODE_AFFINITY, weight: 2 },
      { name: POD_TOPOLOGY_SPREAD, weight: 2 },
      { name: INTER_POD_AFFINITY, weight: 2 },
      { name: NODE_RESOURCES_FIT, weight: 1 },
      { name: BALANCED_ALLOCATION, weight: 1 },
      { name: SELECTOR_SPREAD, weight: 1 },
    ],
  };
}
