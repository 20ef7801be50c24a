/**
 * InterPodAffinity scoring, after kube-scheduler: every existing pod adds weights to its
 * topology domain — the incoming pod's preferred (anti-)affinity terms it matches (±weight),
 * its own required affinity terms the incoming pod matches (hardPodAffinityWeight = 1) and its
 * preferred terms the incoming pod matches (symmetry). A node scores the sum over its domains.
 */
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import type { Pod } from '../../framework/types.js';
import { hasPodAffinityTerms, requiredTerms, termMatchesPod, type AffinityTerm, type NamespaceLabels, type WeightedTerm } from './affinity-terms.js';

const HARD_POD_AFFINITY_WEIGHT = 1;

/** topologyKey → value → accumulated weight. */
export type TopologyScores = Map<string, Map<string, number>>;

function add(scores: TopologyScores, term: AffinityTerm, node: NodeInfo, weight: number): void {
  const v = node.node.metadata.labels?.[term.topologyKey];
  if (v === undefined) return;
  let perValue = scores.get(term.topologyKey);
  if (!perValue) scores.set(term.topologyKey, (perValue = new Map()));
  perValue.set(v, (perValue.get(v) ?? 0) + weight);
}

function addWeighted(scores: TopologyScores, terms: WeightedTerm[], target: Pod, node: NodeInfo, sign: 1 | -1, ns: NamespaceLabels): void {
  for (const { term, weight } of terms) if (termMatchesPod(term, target, ns)) add(scores, term, node, sign * weight);
}

/** The per-domain weights for `pod`; null when no term anywhere can matter (the common case: skip). */
export function topologyScores(pod: Pod, snapshot: Snapshot): TopologyScores | null {
  const mine = requiredTerms(pod);
  const incomingHasTerms = mine.preferredAffinity.length + mine.preferredAntiAffinity.length > 0;
  const nsLabels: NamespaceLabels = (ns) => snapshot.namespaceLabels.get(ns);
  const scores: TopologyScores = new Map();
  for (const node of snapshot.nodeInfos()) {
    if (!incomingHasTerms && node.podsWithAffinity.size === 0) continue;
    for (const { pod: existing, key } of node.pods.values()) {
      addWeighted(scores, mine.preferredAffinity, existing, node, 1, nsLabels);
      addWeighted(scores, mine.preferredAntiAffinity, existing, node, -1, nsLabels);
      if (!node.podsWithAffinity.has(key)) continue;
      const theirs = requiredTerms(existing);
      if (!hasPodAffinityTerms(theirs)) continue;
      for (const t of theirs.affinity) if (termMatchesPod(t, pod, nsLabels)) add(scores, t, node, HARD_POD_AFFINITY_WEIGHT);
      addWeighted(scores, theirs.preferredAffinity, pod, node, 1, nsLabels);
      addWeighted(scores, theirs.preferredAntiAffinity, pod, node, -1, nsLabels);
    }
  }
  return scores.size ? scores : null;
}

/** A node's raw score: the weights of the domains it belongs to. */
export function nodeAffinityScore(scores: TopologyScores, node: NodeInfo): number {
  let s = 0;
  for (const [key, perValue] of scores) {
    const v = node.node.metadata.labels?.[key];
    if (v !== undefined) s += perValue.get(v) ?? 0;
  }
  return s;
}

/** Min-max normalization onto 0..100 (all 0 when every node scored the same). */
export function normalizeMinMax(scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = Number.MIN_SAFE_INTEGER;
  for (const s of scores) { min = Math.min(min, s.score); max = Math.max(max, s.score); }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
}
