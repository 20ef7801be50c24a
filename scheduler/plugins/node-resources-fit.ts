/**
 * NodeResourcesFit. Filter: pod count, cpu, memory, ephemeral-storage and extended resources
 * against allocatable minus the requests of pods already on the node. Score on cpu and memory
 * with Kubernetes' non-zero defaults for unset requests, by the configured scoring strategy:
 * LeastAllocated (default: spread load) or MostAllocated (bin packing).
 */
import type { FilterPlugin, ScorePlugin } from '../framework/interfaces.js';
import { podInfoOf, type NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unschedulable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { ApiError } from '../../lib/errors.js';
import { leastAllocatedScore, mostAllocatedScore } from './helpers/resource-scores.js';

/** Registered plugin name. */
export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
/** Kubernetes' reason when the node is at its pod limit. */
export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';

/** `Insufficient <resource>`, Kubernetes' reason for one resource. */
export function insufficient(resource: string): string {
  return `Insufficient ${resource}`;
}

/** The reasons a pod does not fit a node's free resources (empty when it fits), in Kubernetes' order. */
export function insufficientResources(pod: Pod, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.size + 1 > node.allocatable.allowedPods) reasons.push(ERR_REASON_TOO_MANY_PODS);
  const req = podInfoOf(pod).requests;
  const free = (alloc: number, used: number) => alloc - used;
  const a = node.allocatable;
  const u = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > free(a.milliCPU, u.milliCPU)) reasons.push(insufficient('cpu'));
  if (req.memory > 0 && req.memory > free(a.memory, u.memory)) reasons.push(insufficient('memory'));
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > free(a.ephemeralStorage, u.ephemeralStorage)) reasons.push(insufficient('ephemeral-storage'));
  for (const name of Object.keys(req.scalar).sort()) {
    const want = req.scalar[name];
    if (want > 0 && want > free(a.scalar[name] ?? 0, u.scalar[name] ?? 0)) reasons.push(insufficient(name));
  }
  return reasons;
}

const STRATEGIES = { LeastAllocated: leastAllocatedScore, MostAllocated: mostAllocatedScore };

/** Filter on free resources + LeastAllocated/MostAllocated score. */
export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  private readonly strategy: (typeof STRATEGIES)[keyof typeof STRATEGIES];

  /** `args.scoringStrategy.type`: LeastAllocated (default) or MostAllocated. */
  constructor(args?: Record<string, unknown>) {
    const type = (args?.scoringStrategy as { type?: string } | undefined)?.type ?? 'LeastAllocated';
    if (!(type in STRATEGIES)) {
      throw new ApiError('Invalid', `NodeResourcesFit args: scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: "LeastAllocated", "MostAllocated"`);
    }
    this.strategy = STRATEGIES[type as keyof typeof STRATEGIES];
  }

  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    const reasons = insufficientResources(pod, node);
    return reasons.length ? unschedulable(this.name, ...reasons) : SUCCESS;
  }

  score(_s: unknown, pod: Pod, node: NodeInfo): number {
    const nz = podInfoOf(pod).nonZero;
    return this.strategy([
      { requested: node.nonZeroRequested.milliCPU + nz.milliCPU, allocatable: node.allocatable.milliCPU },
      { requested: node.nonZeroRequested.memory + nz.memory, allocatable: node.allocatable.memory },
    ]);
  }
}
