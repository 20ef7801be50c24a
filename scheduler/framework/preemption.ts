/**
 * Preemption after kube-scheduler's DefaultPreemption PostFilter: for a pod that fits nowhere,
 * find nodes where removing lower-priority pods would make it fit, choose the minimal victims
 * per node (remove all, then reprieve the most important ones that can stay), pick the best node.
 * Also produces the `preemption: 0/N nodes are available: ...` message when nothing helps.
 * Dry runs mutate the snapshot and always restore it before returning.
 */
import { CycleState } from './interfaces.js';
import type { Diagnosis } from './fit-error.js';
import { preemptionMessage } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import type { Framework } from './registry.js';
import type { Snapshot } from './snapshot.js';
import type { Pod } from './types.js';

/** Per-node verdicts, worded as Kubernetes. */
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';

/** A node where preemption makes room, and the pods to evict there. */
export interface PreemptionCandidate { nodeName: string; victims: Pod[] }

/** PostFilter outcome: a candidate, or the message explaining why none exists. */
export interface PreemptionResult { candidate?: PreemptionCandidate; message: string }

const prio = (p: Pod) => p.spec.priority ?? 0;

/** True when `pod` passes every PreFilter and every Filter on `node` with the snapshot as it is now. */
export function fitsOnNode(fw: Framework, pod: Pod, node: NodeInfo, snapshot: Snapshot): boolean {
  const state = new CycleState();
  for (const p of fw.preFilters) if (p.preFilter(state, pod, snapshot).code !== 'Success') return false;
  return fw.filters.every((p) => p.filter(state, pod, node, snapshot).code === 'Success');
}

/** Minimal victims on one node, or null when even evicting every lower-priority pod does not help. */
export function selectVictimsOnNode(fw: Framework, pod: Pod, node: NodeInfo, snapshot: Snapshot): Pod[] | null {
  const lower = [...node.pods.values()].map((i) => i.pod).filter((p) => prio(p) < prio(pod));
  if (lower.length === 0) return null;
  for (const p of lower) snapshot.removePod(p);
  const victims: Pod[] = [];
  try {
    if (!fitsOnNode(fw, pod, node, snapshot)) return null;
    // Try to keep the most important pods first; each one that still leaves room stays.
    lower.sort((a, b) => prio(b) - prio(a));
    for (const p of lower) {
      snapshot.upsertPod(p, node.name);
      if (!fitsOnNode(fw, pod, node, snapshot)) { snapshot.removePod(p); victims.push(p); }
    }
    return victims;
  } finally {
    for (const p of lower) snapshot.upsertPod(p, node.name);
  }
}

// Kubernetes' pickOneNodeForPreemption, first criteria: lowest highest-victim priority, lowest sum, fewest victims.
function better(a: PreemptionCandidate, b: PreemptionCandidate): boolean {
  const maxP = (c: PreemptionCandidate) => Math.max(...c.victims.map(prio));
  const sum = (c: PreemptionCandidate) => c.victims.reduce((s, v) => s + prio(v), 0);
  if (maxP(a) !== maxP(b)) return maxP(a) < maxP(b);
  if (sum(a) !== sum(b)) return sum(a) < sum(b);
  return a.victims.length < b.victims.length;
}

/** Runs preemption for a pod that failed Filter everywhere. */
export function preempt(fw: Framework, pod: Pod, snapshot: Snapshot, diagnosis: Diagnosis): PreemptionResult {
  if (pod.spec.preemptionPolicy === 'Never') return { message: NOT_ELIGIBLE_NEVER };
  // Victims chosen earlier are still leaving: wait for them instead of evicting more.
  const nominatedTo = pod.status?.nominatedNodeName ? snapshot.get(pod.status.nominatedNodeName) : undefined;
  if (nominatedTo && [...nominatedTo.pods.values()].some((i) => i.pod.metadata.deletionTimestamp && prio(i.pod) < prio(pod))) return { message: NOT_ELIGIBLE_TERMINATING };
  const verdicts: string[] = [];
  let best: PreemptionCandidate | undefined;
  for (const node of snapshot.nodeInfos()) {
    const status = diagnosis.nodeStatuses.get(node.name);
    if (!status || status.code === 'UnschedulableAndUnresolvable') { verdicts.push(NOT_HELPFUL); continue; }
    const victims = selectVictimsOnNode(fw, pod, node, snapshot);
    if (!victims) { verdicts.push(NO_VICTIMS); continue; }
    const c = { nodeName: node.name, victims };
    if (!best || better(c, best)) best = c;
  }
  if (best) return { candidate: best, message: '' };
  return { message: preemptionMessage(snapshot.size, verdicts) };
}
