/**
 * Chaos hooks of the userspace datapath: delay, jitter, loss, duplication, reordering and a
 * full drop toward chosen peers, from a seeded PRNG so runs repeat. Pure decisions; the
 * tunnel carries them out. (`tc netem` is missing from this kernel, hence userspace.)
 */
import { seededRandom } from '../../lib/rng.js';
import { ApiError } from '../../lib/errors.js';

/** What happens to packets toward one peer. Probabilities are 0..1. */
export interface ChaosRule {
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** Drop everything toward the peer (a partition). */
  drop?: boolean;
}

/** Rules by peer PublicIP ('*' = every peer) and the PRNG seed. */
export interface ChaosConfig { seed?: number; peers: Record<string, ChaosRule> }

const PROB = ['loss', 'duplicate', 'reorder'] as const;
const MS = ['delayMs', 'jitterMs'] as const;

/** Validates a chaos config (from the admin endpoint or etcd); throws an Invalid ApiError. */
export function parseChaos(input: unknown): ChaosConfig {
  const bad = (field: string, v: unknown, why: string): ApiError =>
    new ApiError('Invalid', `chaos: ${field}: Invalid value: ${JSON.stringify(v)}: ${why}`);
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad('', input, 'must be an object');
  const o = input as Record<string, unknown>;
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw bad('seed', o.seed, 'must be an integer');
  const peers = o.peers ?? {};
  if (typeof peers !== 'object' || Array.isArray(peers) || peers === null) throw bad('peers', peers, 'must be an object keyed by peer IP');
  const out: ChaosConfig = { seed: o.seed as number | undefined, peers: {} };
  for (const [peer, r] of Object.entries(peers as Record<string, unknown>)) {
    if (peer !== '*' && !/^\d+\.\d+\.\d+\.\d+$/.test(peer)) throw bad(`peers[${peer}]`, peer, 'key must be a peer IP or *');
    if (!r || typeof r !== 'object') throw bad(`peers[${peer}]`, r, 'must be an object');
    const rule = r as Record<string, unknown>;
    for (const k of Object.keys(rule)) {
      if (![...PROB, ...MS, 'drop'].includes(k)) throw bad(`peers[${peer}].${k}`, rule[k], 'unknown field');
    }
    for (const k of PROB) if (rule[k] !== undefined && !(typeof rule[k] === 'number' && rule[k] >= 0 && rule[k] <= 1)) throw bad(`peers[${peer}].${k}`, rule[k], 'must be between 0 and 1');
    for (const k of MS) if (rule[k] !== undefined && !(typeof rule[k] === 'number' && rule[k] >= 0 && rule[k] <= 60_000)) throw bad(`peers[${peer}].${k}`, rule[k], 'must be 0..60000 ms');
    if (rule.drop !== undefined && typeof rule.drop !== 'boolean') throw bad(`peers[${peer}].drop`, rule.drop, 'must be a boolean');
    out.peers[peer] = rule as ChaosRule;
  }
  return out;
}


/** Extra hold for a "reordered" packet: long enough for the next packets to overtake it. */
const REORDER_HOLD_MS = 3;

/** Decides, packet by packet, what the chaos rules do. */
export class Chaos {
  private cfg: ChaosConfig = { peers: {} };
  /** Any rule at all: the per-packet check is one boolean when chaos is off (the usual case). */
  private active = false;
  private rand: () => number = seededRandom(1);
  /** Called after set(): the tunnel turns its native fast path off while rules are active. */
  onChange?: () => void;

  constructor(cfg?: ChaosConfig) { if (cfg) this.set(cfg); }

  /** Replaces the rules and restarts the PRNG from the seed. */
  set(cfg: ChaosConfig): void {
    this.cfg = cfg;
    this.active = Object.keys(cfg.peers).length > 0;
    this.rand = seededRandom(cfg.seed ?? 1);
    this.onChange?.();
  }

  /** Whether any rule is set. */
  get enabled(): boolean { return this.active; }

  /** The current rules. */
  get(): ChaosConfig { return this.cfg; }

  /** The rule toward a peer, or undefined when packets to it pass untouched. */
  ruleFor(peerIp: string): ChaosRule | undefined {
    if (!this.active) return undefined;
    return this.cfg.peers[peerIp] ?? this.cfg.peers['*'];
  }

  /** Delays (ms) of the copies to send for one packet: [] = dropped, [0] = as is, two = duplicated. */
  decide(rule: ChaosRule): number[] {
    if (rule.drop) return [];
    if (rule.loss && this.rand() < rule.loss) return [];
    const copies = rule.duplicate && this.rand() < rule.duplicate ? 2 : 1;
    const out: number[] = [];
    for (let i = 0; i < copies; i++) {
      let d = rule.delayMs ?? 0;
      if (rule.jitterMs) d += (this.rand() * 2 - 1) * rule.jitterMs;
      if (rule.reorder && this.rand() < rule.reorder) d += REORDER_HOLD_MS;
      out.push(Math.max(0, d));
    }
    return out;
  }
}
