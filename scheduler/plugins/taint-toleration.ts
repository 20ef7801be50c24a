/**
 * TaintToleration. Filter: the pod must tolerate every NoSchedule and NoExecute taint.
 * Score: fewer untolerated PreferNoSchedule taints is better (normalized in reverse).
 */
import { defaultNormalizeScore, type FilterPlugin, type NodeScore, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { findUntoleratedTaint, tolerates } from './helpers/tolerations.js';

/** Registered plugin name. */
export const TAINT_TOLERATION = 'TaintToleration';

/** Kubernetes' reason string for one untolerated taint: `node(s) had untolerated taint {key: value}`. */
export function untoleratedTaintReason(key: string, value = ''): string {
  return `node(s) had untolerated taint {${key}: ${value}}`;
}

/** Filter + Score on taints. */
export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;

  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    const taint = findUntoleratedTaint(node.node.spec?.taints, pod.spec.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    return taint ? unresolvable(this.name, untoleratedTaintReason(taint.key, taint.value)) : SUCCESS;
  }

  score(_s: unknown, pod: Pod, node: NodeInfo): number {
    // Only tolerations that can apply to PreferNoSchedule count here, as in Kubernetes.
    const tols = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let count = 0;
    for (const taint of node.node.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tols.some((t) => tolerates(t, taint))) count++;
    }
    return count;
  }

  normalizeScores(_s: unknown, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  }
}
