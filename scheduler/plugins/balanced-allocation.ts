/** NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal fractions. */
import type { ScorePlugin } from '../framework/interfaces.js';
import { podInfoOf, type NodeInfo } from '../framework/node-info.js';
import type { Pod } from '../framework/types.js';
import { balancedAllocationScore } from './helpers/resource-scores.js';

/** Registered plugin name. */
export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

/** Score on the balance of requested cpu vs memory fractions (actual requests, as Kubernetes). */
export class BalancedAllocation implements ScorePlugin {
  readonly name = BALANCED_ALLOCATION;
  score(_s: unknown, pod: Pod, node: NodeInfo): number {
    const req = podInfoOf(pod).requests;
    return balancedAllocationScore([
      { requested: node.requested.milliCPU + req.milliCPU, allocatable: node.allocatable.milliCPU },
      { requested: node.requested.memory + req.memory, allocatable: node.allocatable.memory },
    ]);
  }
}
