/**
 * The overlay's live numbers: each node's flanneld /metrics (per-peer packet/byte/drop counters)
 * read every few seconds and turned into rates. Where a node's flanneld answers is known to
 * whoever started the dashboard (the bring-up), so it passes a function naming the URLs.
 */
import { sleep } from '../../lib/client/backoff.js';

/** Counters of one peer as flanneld exports them. */
export interface PeerCounters { txPackets: number; txBytes: number; rxPackets: number; rxBytes: number; drops: number }
/** One node's parsed /metrics: backend and counters per peer (underlay IP). */
export interface NodeCounters { backend: string; peers: Record<string, PeerCounters>; chaosDrops: number }
/** Per-second rates from one node to each peer. */
export interface PeerRates { peer: string; txPps: number; rxPps: number; txBps: number; rxBps: number; drops: number; dropsPerSec: number }
/** The network view of one node. */
export interface NodeNetwork { node: string; backend: string; ok: boolean; error?: string; peers: PeerRates[] }

const FIELDS: Record<string, keyof PeerCounters> = {
  flannel_peer_tx_packets_total: 'txPackets', flannel_peer_tx_bytes_total: 'txBytes',
  flannel_peer_rx_packets_total: 'rxPackets', flannel_peer_rx_bytes_total: 'rxBytes', flannel_peer_drops_total: 'drops',
};

/** Parses flanneld's Prometheus text (only the series the dashboard draws). */
export function parseFlannelMetrics(text: string): NodeCounters {
  const out: NodeCounters = { backend: '', peers: {}, chaosDrops: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\}\s+([-+\d.eE]+|NaN)$/.exec(line.trim());
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const value = Number(m[3]);
    if (labels.backend) out.backend = labels.backend;
    if (m[1] === 'flannel_chaos_drops_total') out.chaosDrops = value;
    const field = FIELDS[m[1]];
    if (!field || !labels.peer) continue;
    const p = (out.peers[labels.peer] ??= { txPackets: 0, txBytes: 0, rxPackets: 0, rxBytes: 0, drops: 0 });
    p[field] = value;
  }
  return out;
}

/** Rates between two readings `seconds` apart (a counter that went down, i.e. a restart, counts from 0). */
export function peerRates(prev: NodeCounters | undefined, cur: NodeCounters, seconds: number): PeerRates[] {
  const rate = (a: number, b: number | undefined) => (seconds > 0 ? Math.max(0, a - (b !== undefined && b <= a ? b : 0)) / seconds : 0);
  return Object.entries(cur.peers).sort(([a], [b]) => a.localeCompare(b)).map(([peer, c]) => {
    const p = prev?.peers[peer];
    return {
      peer, txPps: rate(c.txPackets, p?.txPackets), rxPps: rate(c.rxPackets, p?.rxPackets),
      txBps: rate(c.txBytes, p?.txBytes), rxBps: rate(c.rxBytes, p?.rxBytes), drops: c.drops, dropsPerSec: rate(c.drops, p?.drops),
    };
  });
}

/**
 * Asks every node's endpoint (node name → URL, from `endpoints()` at each round) with `read`, every
 * `periodMs`, and hands the round's answers to `publish` until `signal` aborts. `read` turns a
 * failure into a value too, so one dead node never hides the others.
 */
export async function pollNodes<T>(endpoints: () => Record<string, string>, read: (node: string, url: string, signal: AbortSignal) => Promise<T>, publish: (v: T[]) => void, signal: AbortSignal, periodMs = 2000): Promise<void> {
  while (!signal.aborted) {
    const views = await Promise.all(Object.entries(endpoints()).map(([node, url]) => read(node, url, AbortSignal.any([signal, AbortSignal.timeout(1500)]))));
    if (!signal.aborted) publish(views);
    await sleep(periodMs, signal);
  }
}

/** Reads every node's metrics every `periodMs` and hands the views to `publish` until `signal` aborts. */
export async function watchNetwork(endpoints: () => Record<string, string>, publish: (v: NodeNetwork[]) => void, signal: AbortSignal, periodMs = 2000): Promise<void> {
  const prev = new Map<string, { at: number; c: NodeCounters }>();
  await pollNodes(endpoints, async (node, url, sig): Promise<NodeNetwork> => {
    try {
      const res = await fetch(url, { signal: sig });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const c = parseFlannelMetrics(await res.text());
      const at = Date.now();
      const before = prev.get(node);
      prev.set(node, { at, c });
      return { node, backend: c.backend, ok: true, peers: peerRates(before?.c, c, before ? (at - before.at) / 1000 : 0) };
    } catch (err) {
      return { node, backend: '', ok: false, error: (err as Error).message, peers: [] };
    }
  }, publish, signal, periodMs);
}
