/**
 * One scheduling cycle for one pod: PreFilter → Filter every node → PreScore/Score the
 * feasible ones → normalize → weighted sum → highest total wins, ties broken at random
 * (reservoir sampling, as kube-scheduler's selectHost). Pure: reads a Snapshot, returns data.
 */
import type { Diagnosis } from './fit-error.js';
import { CycleState, type NodeScore } from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { Framework } from './registry.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';
import { podKey, type Pod } from './types.js';

/** One plugin's score for one node: raw, after normalization, after weighting. */
export interface ScoreEntry { raw: number; normalized: number; weighted: number }

/** The `--v=4`-style record of a cycle: each plugin's verdict and score per node. */
export interface Decision {
  pod: string;
  preFilter: Record<string, string>;
  /** node → plugin → "passed" or the reasons; a node's plugins after the first failure show only in `recordAll` mode. */
  filter: Record<string, Record<string, string>>;
  score: Record<string, Record<string, ScoreEntry>>;
  finalScore: Record<string, number>;
  selectedNode?: string;
}

/** Outcome of a cycle: a node, or a diagnosis to build the FitError from, or an internal error. */
export interface ScheduleResult {
  nodeName?: string;
  feasibleNodes: number;
  diagnosis: Diagnosis;
  error?: string;
  decision?: Decision;
}

/** Options of a cycle. */
export interface CycleOptions {
  /** Random source for tie-breaking (seedable in tests). */
  rng?: () => number;
  /** Build a Decision record. */
  record?: boolean;
  /** With `record`, keep running the remaining Filter plugins after one fails (simulator-style). */
  recordAll?: boolean;
  /**
   * Pods nominated to a node (waiting for their preemption victims to leave) that outrank `pod`:
   * they are counted on that node while filtering, so this pod does not take their room.
   */
  nominatedPods?: (nodeName: string) => Pod[];
}

function verdict(s: Status): string {
  return s.code === 'Success' ? 'passed' : s.reasons.join(', ');
}

/** Runs one scheduling cycle for `pod` against `snapshot`. */
export function schedulePod(fw: Framework, pod: Pod, snapshot: Snapshot, opts: CycleOptions = {}): ScheduleResult {
  const rng = opts.rng ?? Math.random;
  const state = new CycleState();
  const diagnosis: Diagnosis = { nodeStatuses: new Map(), unschedulablePlugins: new Set() };
  const decision: Decision | undefined = opts.record ? { pod: podKey(pod), preFilter: {}, filter: {}, score: {}, finalScore: {} } : undefined;
  const result: ScheduleResult = { feasibleNodes: 0, diagnosis, decision };

  for (const p of fw.preFilters) {
    const s = p.preFilter(state, pod, snapshot);
    if (decision) decision.preFilter[p.name] = verdict(s);
    if (s.code === 'Error') return { ...result, error: `running PreFilter plugin "${p.name}": ${s.reasons.join(', ')}` };
    if (s.code !== 'Success') {
      diagnosis.preFilterMsg = s.reasons.join(', ');
      diagnosis.unschedulablePlugins.add(p.name);
      for (const n of snapshot.nodeInfos()) diagnosis.nodeStatuses.set(n.name, { ...s, plugin: p.name });
      return result;
    }
  }

  const feasible: NodeInfo[] = [];
  for (const node of snapshot.nodeInfos()) {
    const perNode: Record<string, string> | undefined = decision ? (decision.filter[node.name] = {}) : undefined;
    const nominated = opts.nominatedPods?.(node.name) ?? [];
    for (const n of nominated) snapshot.upsertPod(n, node.name);
    let failed: Status | undefined;
    try {
      for (const p of fw.filters) {
        if (failed && !opts.recordAll) break;
        const s = p.filter(state, pod, node, snapshot);
        if (perNode) perNode[p.name] = verdict(s);
        if (s.code === 'Error') return { ...result, error: `running "${p.name}" filter plugin: ${s.reasons.join(', ')}` };
        if (s.code !== 'Success' && !failed) failed = { ...s, plugin: p.name };
      }
    } finally {
      for (const n of nominated) snapshot.removePod(n);
    }
    if (failed) {
      diagnosis.nodeStatuses.set(node.name, failed);
      diagnosis.unschedulablePlugins.add(failed.plugin);
    } else feasible.push(node);
  }
  result.feasibleNodes = feasible.length;
  if (feasible.length === 0) return result;

  const totals = feasible.length === 1 ? [0] : scoreNodes(fw, state, pod, feasible, snapshot, decision);
  result.nodeName = selectHost(feasible, totals, rng);
  if (decision) decision.selectedNode = result.nodeName;
  return result;
}

function scoreNodes(fw: Framework, state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot, decision?: Decision): number[] {
  for (const p of fw.preScores) p.preScore(state, pod, feasible, snapshot);
  const totals = new Array<number>(feasible.length).fill(0);
  for (const { plugin, weight } of fw.scores) {
    const scores: NodeScore[] = feasible.map((n) => ({ name: n.name, score: plugin.score(state, pod, n, snapshot) }));
    const raw = decision ? scores.map((s) => s.score) : undefined;
    plugin.normalizeScores?.(state, pod, scores);
    for (let i = 0; i < feasible.length; i++) {
      totals[i] += scores[i].score * weight;
      if (decision) {
        const row = (decision.score[feasible[i].name] ??= {});
        row[plugin.name] = { raw: raw![i], normalized: scores[i].score, weighted: scores[i].score * weight };
      }
    }
  }
  if (decision) feasible.forEach((n, i) => { decision.finalScore[n.name] = totals[i]; });
  return totals;
}

/** Highest total wins; among equal totals each has the same chance (reservoir sampling). */
export function selectHost(nodes: NodeInfo[], totals: number[], rng: () => number): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) { best = i; ties = 1; }
    else if (totals[i] === totals[best]) {
      ties++;
      if (rng() * ties < 1) best = i;
    }
  }
  return nodes[best].name;
}
