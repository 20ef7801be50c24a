/**
 * The plugin contract, after kube-scheduler's framework: small named plugins at extension
 * points (PreFilter, Filter, PreScore, Score + NormalizeScore). One object may implement
 * several points. Results are data (Status), never exceptions.
 */
import type { NodeInfo } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';
import type { Pod } from './types.js';

/** The highest score a Score plugin gives after normalization. */
export const MAX_NODE_SCORE = 100;

/** Per-cycle scratch space where PreFilter/PreScore leave precomputed data for Filter/Score. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Reads what a plugin stored under `key`. */
  read<T>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  /** Stores per-cycle data under `key`. */
  write(key: string, value: unknown): void { this.data.set(key, value); }
}

/** Every plugin has a registered name. */
export interface Plugin { readonly name: string }

/** Runs once per pod before Filter; may reject the pod for all nodes. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status;
}

/** Decides whether the pod fits one node. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo, snapshot: Snapshot): Status;
}

/** Runs once per pod over the feasible nodes before Score. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, feasible: NodeInfo[], snapshot: Snapshot): void;
}

/** A node's score from one plugin. */
export interface NodeScore { name: string; score: number }

/** Scores one feasible node; `normalizeScores` maps the raw scores onto 0..MAX_NODE_SCORE. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo, snapshot: Snapshot): number;
  normalizeScores?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

/** What a PreBind point may do before the pod is bound: write to the API. */
export interface PreBindContext {
  snapshot: Snapshot;
  /** Merge-patches an object's metadata (the scheduler's own client). */
  patchMetadata(target: { resource: string; namespace?: string; name: string }, metadata: Record<string, unknown>): Promise<void>;
}

/** Runs after a node is chosen and before the Binding is posted; a rejection sends the pod back to the queue. */
export interface PreBindPlugin extends Plugin {
  preBind(pod: Pod, nodeName: string, ctx: PreBindContext): Promise<void>;
}

/** Type guard: the plugin has a PreFilter point. */
export function isPreFilter(p: Plugin): p is PreFilterPlugin { return typeof (p as PreFilterPlugin).preFilter === 'function'; }
/** Type guard: the plugin has a Filter point. */
export function isFilter(p: Plugin): p is FilterPlugin { return typeof (p as FilterPlugin).filter === 'function'; }
/** Type guard: the plugin has a PreScore point. */
export function isPreScore(p: Plugin): p is PreScorePlugin { return typeof (p as PreScorePlugin).preScore === 'function'; }
/** Type guard: the plugin has a PreBind point. */
export function isPreBind(p: Plugin): p is PreBindPlugin { return typeof (p as PreBindPlugin).preBind === 'function'; }
/** Type guard: the plugin has a Score point. */
export function isScore(p: Plugin): p is ScorePlugin { return typeof (p as ScorePlugin).score === 'function'; }

/** Kubernetes' DefaultNormalizeScore: scale to 0..max by the highest score; `reverse` makes fewer better. */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    const v = Math.trunc((max * s.score) / highest);
    s.score = reverse ? max - v : v;
  }
}
