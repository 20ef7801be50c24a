/** kube-scheduler's resource scoring formulas (LeastAllocated, MostAllocated, BalancedAllocation), on cpu and memory with weight 1 each. */
import { MAX_NODE_SCORE } from '../../framework/interfaces.js';

/** requested/allocatable pairs, one per resource. */
export interface ResourceUse { requested: number; allocatable: number }

/** LeastAllocated: mean over resources of (allocatable − requested) × 100 / allocatable, integer maths as Kubernetes. */
export function leastAllocatedScore(uses: ResourceUse[]): number {
  let score = 0;
  let weights = 0;
  for (const { requested, allocatable } of uses) {
    if (allocatable === 0) continue;
    score += requested > allocatable ? 0 : Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

/** MostAllocated (bin packing): mean over resources of requested × 100 / allocatable, requests capped at allocatable. */
export function mostAllocatedScore(uses: ResourceUse[]): number {
  let score = 0;
  let weights = 0;
  for (const { requested, allocatable } of uses) {
    if (allocatable === 0) continue;
    score += Math.trunc((Math.min(requested, allocatable) * MAX_NODE_SCORE) / allocatable);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

/** BalancedAllocation: (1 − standard deviation of the requested fractions) × 100; favours nodes used evenly. */
export function balancedAllocationScore(uses: ResourceUse[]): number {
  const fractions: number[] = [];
  for (const { requested, allocatable } of uses) {
    if (allocatable === 0) continue;
    fractions.push(Math.min(requested / allocatable, 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
