/**
 * SelectorSpread-like scoring: spread the pods of one controller (same controller owner
 * reference) across nodes and, when nodes carry `topology.kubernetes.io/zone`, across zones
 * (zone spread weighs 2/3, as the legacy SelectorSpread plugin did).
 */
import type { CycleState, NodeScore, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { Snapshot } from '../framework/snapshot.js';
import type { Pod } from '../framework/types.js';

/** Registered plugin name. */
export const SELECTOR_SPREAD = 'SelectorSpread';
/** The zone label used for zone spreading. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

const STATE_KEY = 'PreScore' + SELECTOR_SPREAD;
const ZONE_WEIGHTING = 2 / 3;

interface PreScoreState { owner: string | null; zoneOf: Map<string, string> }

/** The uid of a pod's controller (ownerReference with controller=true), if any. */
export function controllerUid(pod: Pod): string | null {
  return pod.metadata.ownerReferences?.find((o) => o.controller)?.uid ?? null;
}

function countOwned(node: NodeInfo, owner: string, ns: string): number {
  let n = 0;
  for (const { pod } of node.pods.values()) {
    if ((pod.metadata.namespace ?? 'default') === ns && !pod.metadata.deletionTimestamp && controllerUid(pod) === owner) n++;
  }
  return n;
}

/** Score: fewer pods of the same controller on the node (and in its zone) is better. */
export class SelectorSpread implements PreScorePlugin, ScorePlugin {
  readonly name = SELECTOR_SPREAD;

  preScore(state: CycleState, pod: Pod, feasible: NodeInfo[], _snapshot: Snapshot): void {
    const zoneOf = new Map<string, string>();
    for (const n of feasible) {
      const z = n.node.metadata.labels?.[ZONE_LABEL];
      if (z !== undefined) zoneOf.set(n.name, z);
    }
    state.write(STATE_KEY, { owner: controllerUid(pod), zoneOf } satisfies PreScoreState);
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    const s = state.read<PreScoreState>(STATE_KEY)!;
    return s.owner ? countOwned(node, s.owner, pod.metadata.namespace ?? 'default') : 0;
  }

  normalizeScores(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.read<PreScoreState>(STATE_KEY)!;
    const zoneCounts = new Map<string, number>();
    let maxNode = 0;
    for (const sc of scores) {
      maxNode = Math.max(maxNode, sc.score);
      const z = s.zoneOf.get(sc.name);
      if (z !== undefined) zoneCounts.set(z, (zoneCounts.get(z) ?? 0) + sc.score);
    }
    let maxZone = 0;
    for (const v of zoneCounts.values()) maxZone = Math.max(maxZone, v);
    for (const sc of scores) {
      let f = maxNode > 0 ? (MAX_NODE_SCORE * (maxNode - sc.score)) / maxNode : MAX_NODE_SCORE;
      const z = s.zoneOf.get(sc.name);
      if (zoneCounts.size > 0 && z !== undefined) {
        const zf = maxZone > 0 ? (MAX_NODE_SCORE * (maxZone - zoneCounts.get(z)!)) / maxZone : MAX_NODE_SCORE;
        f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zf;
      }
      sc.score = Math.trunc(f);
    }
  }
}
