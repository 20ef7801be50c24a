/**
 * The "0/3 nodes are available: ..." message of a pod that fits nowhere, worded as
 * kube-scheduler 1.27+ does: reasons counted over nodes, `"<count> <reason>"` strings sorted
 * as strings, joined by ", ", each part ended by "."; then the preemption part.
 */
import type { Status } from './status.js';

/** Why a pod fits nowhere: per-node statuses, or a PreFilter rejection that applies to all nodes. */
export interface Diagnosis {
  nodeStatuses: Map<string, Status>;
  preFilterMsg?: string;
  /** Plugins that rejected the pod somewhere (the queue uses them to decide what events may help). */
  unschedulablePlugins: Set<string>;
}

/** Kubernetes' `N <reason>` histogram, sorted as strings (so "1 node(s)..." sorts before "2 Insufficient cpu"). */
export function reasonHistogram(statuses: Iterable<Status>): string[] {
  const reasons: string[] = [];
  for (const s of statuses) reasons.push(...s.reasons);
  return countedSorted(reasons);
}

function countedSorted(reasons: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The FailedScheduling message: `0/<n> nodes are available: <reasons>. <postFilterMsg>.` */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis, postFilterMsg = ''): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const parts = reasonHistogram(d.nodeStatuses.values());
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}.`;
  return msg;
}

/** The preemption part: `preemption: 0/<n> nodes are available: <per-node preemption verdicts>.` */
export function preemptionMessage(numAllNodes: number, verdicts: Iterable<string>): string {
  return `preemption: 0/${numAllNodes} nodes are available: ${countedSorted(verdicts).join(', ')}.`;
}
