/**
 * PodTopologySpread. Filter (DoNotSchedule constraints): PreFilter counts matching pods per
 * topology value over the nodes the pod could go to (node affinity honoured, nodes lacking a
 * topology key skipped) and the minimum per key; Filter rejects a node whose domain would exceed
 * maxSkew. Score (ScheduleAnyway constraints): fewer matching pods in the node's domains is
 * better, each constraint weighted by log(domains + 2), as kube-scheduler does.
 */
import { selectorFromLabelSelector, selectorFromRequirements, type Selector } from '../../lib/labels/selector.js';
import { MAX_NODE_SCORE, type CycleState, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Snapshot } from '../framework/snapshot.js';
import { SUCCESS, errorStatus, unresolvable, unschedulable, type Status } from '../framework/status.js';
import type { Pod, TopologySpreadConstraint } from '../framework/types.js';
import { requiredNodeAffinity } from './helpers/node-selector.js';

/** Registered plugin name. */
export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
/** Kubernetes' reason strings. */
export const ERR_REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_SPREAD_LABEL = `${ERR_REASON_SPREAD} (missing required label)`;

const STATE_KEY = 'PreFilter' + POD_TOPOLOGY_SPREAD;
const SCORE_KEY = 'PreScore' + POD_TOPOLOGY_SPREAD;

interface Constraint { maxSkew: number; topologyKey: string; minDomains: number; selector: Selector }

interface PreFilterState {
  constraints: Constraint[];
  /** topologyKey → value → matching pods. */
  counts: Map<string, Map<string, number>>;
}

/** Compiles a constraint: its labelSelector plus `matchLabelKeys` taken from the pod's own labels. */
export function compileConstraint(c: TopologySpreadConstraint, pod: Pod): Constraint {
  let selector = selectorFromLabelSelector(c.labelSelector);
  const keys = (c.matchLabelKeys ?? []).filter((k) => pod.metadata.labels?.[k] !== undefined);
  if (keys.length && c.labelSelector) {
    selector = selectorFromRequirements([...selector.requirements, ...keys.map((k) => ({ key: k, operator: 'in' as const, values: [pod.metadata.labels![k]] }))]);
  }
  return { maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: c.minDomains ?? 1, selector };
}

interface PreScoreState {
  constraints: (Constraint & { weight: number })[];
  counts: Map<string, Map<string, number>>;
  /** Feasible nodes lacking a topology key: they score 0. */
  ignored: Set<string>;
}

/** Matching pods (same namespace, not terminating) on one node. */
function countMatching(node: NodeInfo, c: Constraint, ns: string): number {
  let n = 0;
  for (const { pod: p } of node.pods.values()) {
    if ((p.metadata.namespace ?? 'default') === ns && !p.metadata.deletionTimestamp && c.selector.matches(p.metadata.labels)) n++;
  }
  return n;
}

/** Filter on DoNotSchedule constraints, Score on ScheduleAnyway ones. */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = POD_TOPOLOGY_SPREAD;

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const hard = (pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (hard.length === 0) { state.write(STATE_KEY, null); return SUCCESS; }
    let constraints: Constraint[];
    try {
      constraints = hard.map((c) => compileConstraint(c, pod));
    } catch (err) {
      return errorStatus(this.name, (err as Error).message);
    }
    const counts = new Map(constraints.map((c) => [c.topologyKey, new Map<string, number>()]));
    const ns = pod.metadata.namespace ?? 'default';
    const affinity = requiredNodeAffinity(pod);
    for (const node of snapshot.nodeInfos()) {
      const labels = node.node.metadata.labels ?? {};
      if (!affinity.matches(node.node)) continue;
      if (!constraints.every((c) => labels[c.topologyKey] !== undefined)) continue;
      for (const c of constraints) {
        const perValue = counts.get(c.topologyKey)!;
        perValue.set(labels[c.topologyKey], (perValue.get(labels[c.topologyKey]) ?? 0) + countMatching(node, c, ns));
      }
    }
    state.write(STATE_KEY, { constraints, counts } satisfies PreFilterState);
    return SUCCESS;
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const s = state.read<PreFilterState | null>(STATE_KEY);
    if (!s) return SUCCESS;
    const labels = node.node.metadata.labels ?? {};
    for (const c of s.constraints) {
      const value = labels[c.topologyKey];
      if (value === undefined) return unresolvable(this.name, ERR_REASON_SPREAD_LABEL);
      const perValue = s.counts.get(c.topologyKey)!;
      const self = c.selector.matches(pod.metadata.labels) ? 1 : 0;
      const skew = (perValue.get(value) ?? 0) + self - minMatch(perValue, c.minDomains);
      if (skew > c.maxSkew) return unschedulable(this.name, ERR_REASON_SPREAD);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot): void {
    const soft = (pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (soft.length === 0) { state.write(SCORE_KEY, null); return; }
    let compiled: Constraint[];
    try { compiled = soft.map((c) => compileConstraint(c, pod)); } catch { state.write(SCORE_KEY, null); return; }
    const hasKeys = (n: NodeInfo) => compiled.every((c) => n.node.metadata.labels?.[c.topologyKey] !== undefined);
    const ignored = new Set(feasible.filter((n) => !hasKeys(n)).map((n) => n.name));
    // Domains are those of the feasible nodes; pods are counted on every node the pod could use.
    const counts = new Map(compiled.map((c) => [c.topologyKey, new Map<string, number>()]));
    for (const n of feasible) {
      if (ignored.has(n.name)) continue;
      for (const c of compiled) counts.get(c.topologyKey)!.set(n.node.metadata.labels![c.topologyKey], 0);
    }
    const ns = pod.metadata.namespace ?? 'default';
    const affinity = requiredNodeAffinity(pod);
    for (const n of snapshot.nodeInfos()) {
      if (!hasKeys(n) || !affinity.matches(n.node)) continue;
      for (const c of compiled) {
        const perValue = counts.get(c.topologyKey)!;
        const v = n.node.metadata.labels![c.topologyKey];
        if (perValue.has(v)) perValue.set(v, perValue.get(v)! + countMatching(n, c, ns));
      }
    }
    const constraints = compiled.map((c) => ({ ...c, weight: Math.log(counts.get(c.topologyKey)!.size + 2) }));
    state.write(SCORE_KEY, { constraints, counts, ignored } satisfies PreScoreState);
  }

  score(state: CycleState, _pod: Pod, node: NodeInfo): number {
    const s = state.read<PreScoreState | null>(SCORE_KEY);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    for (const c of s.constraints) {
      score += (s.counts.get(c.topologyKey)!.get(node.node.metadata.labels![c.topologyKey]) ?? 0) * c.weight + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  normalizeScores(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.read<PreScoreState | null>(SCORE_KEY);
    if (!s) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const sc of scores) {
      if (s.ignored.has(sc.name)) continue;
      min = Math.min(min, sc.score);
      max = Math.max(max, sc.score);
    }
    for (const sc of scores) {
      if (s.ignored.has(sc.name)) sc.score = 0;
      else sc.score = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
    }
  }
}

// The global minimum over eligible domains; 0 while fewer domains exist than minDomains asks for.
function minMatch(perValue: Map<string, number>, minDomains: number): number {
  if (perValue.size < minDomains) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const n of perValue.values()) if (n < min) min = n;
  return min;
}
