/**
 * NodeAffinity. Filter: `spec.nodeSelector` and required node affinity.
 * Score: sum of the weights of the preferred terms the node matches, normalized to 0..100.
 */
import { defaultNormalizeScore, type FilterPlugin, type NodeScore, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import type { Node, Pod } from '../framework/types.js';
import { compileTerm, requiredNodeAffinity, termMatches } from './helpers/node-selector.js';

/** Registered plugin name. */
export const NODE_AFFINITY = 'NodeAffinity';
/** Kubernetes' reason string. */
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

type Preferred = { weight: number; term: ReturnType<typeof compileTerm> }[];
const preferredCache = new WeakMap<Pod, Preferred>();

function preferredTerms(pod: Pod): Preferred {
  let p = preferredCache.get(pod);
  if (!p) {
    p = (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((t) => t.weight !== 0)
      .map((t) => ({ weight: t.weight, term: compileTerm(t.preference) }));
    preferredCache.set(pod, p);
  }
  return p;
}

/** Sum of the weights of the pod's preferred node affinity terms that the node matches. */
export function preferredAffinityScore(pod: Pod, node: Node): number {
  let score = 0;
  for (const { weight, term } of preferredTerms(pod)) if (termMatches(term, node)) score += weight;
  return score;
}

/** Filter + Score on node affinity. */
export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;

  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    return requiredNodeAffinity(pod).matches(node.node) ? SUCCESS : unresolvable(this.name, ERR_REASON_NODE_AFFINITY);
  }

  score(_s: unknown, pod: Pod, node: NodeInfo): number {
    return preferredAffinityScore(pod, node.node);
  }

  normalizeScores(_s: unknown, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  }
}
