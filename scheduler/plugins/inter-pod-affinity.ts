/**
 * InterPodAffinity. Filter (required terms): PreFilter counts, per topology pair (`key=value`), the
 * existing pods matching the incoming pod's terms and the existing pods whose anti-affinity
 * rejects the incoming pod; Filter checks the node's topology values against those counts.
 * Score (preferred terms, both ways): see helpers/pod-affinity-score.ts.
 */
import type { CycleState, FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Snapshot } from '../framework/snapshot.js';
import { SUCCESS, unresolvable, unschedulable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { requiredTerms, termMatchesPod, type AffinityTerm, type NamespaceLabels } from './helpers/affinity-terms.js';
import { nodeAffinityScore, normalizeMinMax, topologyScores, type TopologyScores } from './helpers/pod-affinity-score.js';

/** Registered plugin name. */
export const INTER_POD_AFFINITY = 'InterPodAffinity';
/** Kubernetes' reason strings. */
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const STATE_KEY = 'PreFilter' + INTER_POD_AFFINITY;
const SCORE_KEY = 'PreScore' + INTER_POD_AFFINITY;

interface PreFilterState {
  affinity: AffinityTerm[];
  antiAffinity: AffinityTerm[];
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  existingAntiAffinityCounts: Map<string, number>;
  /** No pod matches the affinity terms yet but the pod matches them itself: it may start the group. */
  firstOfGroup: boolean;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;

function bump(m: Map<string, number>, node: NodeInfo, key: string): void {
  const v = node.node.metadata.labels?.[key];
  if (v !== undefined) m.set(pair(key, v), (m.get(pair(key, v)) ?? 0) + 1);
}

/** Filter on required pod affinity/anti-affinity (the incoming pod's and existing pods'), Score on preferred terms. */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = INTER_POD_AFFINITY;

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const { affinity, antiAffinity } = requiredTerms(pod);
    const nsLabels: NamespaceLabels = (ns) => snapshot.namespaceLabels.get(ns);
    const s: PreFilterState = { affinity, antiAffinity, affinityCounts: new Map(), antiAffinityCounts: new Map(), existingAntiAffinityCounts: new Map(), firstOfGroup: false };
    for (const node of snapshot.nodeInfos()) {
      for (const key of node.podsWithRequiredAntiAffinity) {
        const existing = node.pods.get(key)!.pod;
        for (const t of requiredTerms(existing).antiAffinity) if (termMatchesPod(t, pod, nsLabels)) bump(s.existingAntiAffinityCounts, node, t.topologyKey);
      }
      if (affinity.length === 0 && antiAffinity.length === 0) continue;
      for (const { pod: existing } of node.pods.values()) {
        if (affinity.length && affinity.every((t) => termMatchesPod(t, existing, nsLabels))) for (const t of affinity) bump(s.affinityCounts, node, t.topologyKey);
        for (const t of antiAffinity) if (termMatchesPod(t, existing, nsLabels)) bump(s.antiAffinityCounts, node, t.topologyKey);
      }
    }
    // The first pod of a group with affinity to itself may go anywhere its topology keys exist.
    s.firstOfGroup = s.affinityCounts.size === 0 && affinity.length > 0 && affinity.every((t) => termMatchesPod(t, pod, nsLabels));
    state.write(STATE_KEY, s);
    return SUCCESS;
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(STATE_KEY)!;
    const labels = node.node.metadata.labels ?? {};
    if (!satisfiesAffinity(s, labels)) return unresolvable(this.name, ERR_REASON_AFFINITY);
    for (const t of s.antiAffinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined && (s.antiAffinityCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return unschedulable(this.name, ERR_REASON_ANTI_AFFINITY);
    }
    if (s.existingAntiAffinityCounts.size) {
      for (const [k, v] of Object.entries(labels)) {
        if ((s.existingAntiAffinityCounts.get(pair(k, v)) ?? 0) > 0) return unschedulable(this.name, ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: Pod, _feasible: NodeInfo[], snapshot: Snapshot): void {
    state.write(SCORE_KEY, topologyScores(pod, snapshot));
  }

  score(state: CycleState, _pod: Pod, node: NodeInfo): number {
    const s = state.read<TopologyScores | null>(SCORE_KEY);
    return s ? nodeAffinityScore(s, node) : 0;
  }

  normalizeScores(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    if (state.read<TopologyScores | null>(SCORE_KEY)) normalizeMinMax(scores);
  }
}

function satisfiesAffinity(s: PreFilterState, labels: Record<string, string>): boolean {
  let podsExist = true;
  for (const t of s.affinity) {
    const v = labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || s.firstOfGroup;
}
