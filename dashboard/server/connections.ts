/**
 * kube-proxy connections per Service: every node's kube-proxy counts the connections it proxies
 * per service port (/connections); the dashboard sums them over the nodes, because a client may
 * be on any node, and publishes them with the live stream.
 */
import { pollNodes } from './network.js';

/** Counters of one service port, summed over nodes. */
export interface PortConnections { active: number; total: number; bytesIn: number; bytesOut: number; rejected: number }
/** Service port key (`ns/name:port/PROTO`, kube-proxy's) → counters, and how many nodes answered. */
export interface ConnectionsView { ports: Record<string, PortConnections>; nodes: number; unreachable: string[] }

type NodeAnswer = { node: string; ports?: Record<string, PortConnections> };

/** Adds up the nodes' answers. */
export function sumConnections(answers: NodeAnswer[]): ConnectionsView {
  const out: ConnectionsView = { ports: {}, nodes: 0, unreachable: [] };
  for (const a of answers) {
    if (!a.ports) { out.unreachable.push(a.node); continue; }
    out.nodes++;
    for (const [k, c] of Object.entries(a.ports)) {
      const t = (out.ports[k] ??= { active: 0, total: 0, bytesIn: 0, bytesOut: 0, rejected: 0 });
      t.active += c.active; t.total += c.total; t.bytesIn += c.bytesIn; t.bytesOut += c.bytesOut; t.rejected += c.rejected;
    }
  }
  return out;
}

/** Polls every node's kube-proxy /connections and publishes the sums until `signal` aborts. */
export function watchConnections(endpoints: () => Record<string, string>, publish: (v: ConnectionsView) => void, signal: AbortSignal, periodMs = 2000): Promise<void> {
  return pollNodes(endpoints, async (node, url, sig): Promise<NodeAnswer> => {
    try {
      const res = await fetch(url, { signal: sig });
      if (!res.ok) return { node };
      return { node, ports: ((await res.json()) as { servicePorts?: Record<string, PortConnections> }).servicePorts ?? {} };
    } catch {
      return { node };
    }
  }, (answers) => publish(sumConnections(answers)), signal, periodMs);
}
