/**
 * The live cluster state in the browser: a Map of slim views kept by the server's SSE stream
 * (snapshot, then deltas). Renders are batched to one per animation frame, so a burst of watch
 * events costs one diff.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Slim } from './types';

/** Live state + connection status. `version` changes on every applied batch. */
export interface ClusterState { objects: Map<string, Slim>; version: number; connected: boolean; synced: boolean; network: NodeNetwork[]; connections?: ConnectionsView }

/** kube-proxy's counters per service port summed over nodes (dashboard/server/connections.ts). */
export interface ConnectionsView { ports: Record<string, { active: number; total: number; bytesIn: number; bytesOut: number; rejected: number }>; nodes: number; unreachable: string[] }

/** One node's overlay rates (dashboard/server/network.ts). */
export interface NodeNetwork { node: string; backend: string; ok: boolean; error?: string; peers: Array<{ peer: string; txPps: number; rxPps: number; txBps: number; rxBps: number; drops: number; dropsPerSec: number }> }

declare global {
  interface Window { __ksim?: { lastDeltaAt: number; lastPaintAt: number; deltas: number; objects: number } }
}

/** Subscribes to /api/stream for the page's lifetime. */
export function useCluster(): ClusterState {
  const [state, setState] = useState<ClusterState>({ objects: new Map(), version: 0, connected: false, synced: false, network: [] });
  useEffect(() => {
    const objects = new Map<string, Slim>();
    const stats = (window.__ksim = { lastDeltaAt: 0, lastPaintAt: 0, deltas: 0, objects: 0 });
    let frame = 0; let version = 0; let synced = false; let connected = false; let network: NodeNetwork[] = []; let connections: ConnectionsView | undefined;
    const publish = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setState({ objects, version: ++version, connected, synced, network, connections });
        stats.objects = objects.size;
        requestAnimationFrame(() => { stats.lastPaintAt = performance.now(); });
      });
    };
    const es = new EventSource('api/stream');
    es.addEventListener('open', () => { connected = true; publish(); });
    es.addEventListener('error', () => { connected = false; publish(); });
    es.addEventListener('snapshot', (ev) => {
      const d = JSON.parse((ev as MessageEvent).data) as { objects: Slim[]; synced: boolean; network?: NodeNetwork[]; connections?: ConnectionsView };
      network = d.network ?? []; connections = d.connections;
      objects.clear();
      for (const o of d.objects) objects.set(o.key, o);
      synced = d.synced; connected = true;
      publish();
    });
    es.addEventListener('delta', (ev) => {
      const d = JSON.parse((ev as MessageEvent).data) as { upserts: Slim[]; deletes: string[]; network?: NodeNetwork[]; connections?: ConnectionsView };
      if (d.network) network = d.network;
      if (d.connections) connections = d.connections;
      for (const k of d.deletes) objects.delete(k);
      // Pods that appear after the first snapshot get a short entrance (not 3,000 at page load).
      for (const o of d.upserts) { if (o.kind === 'Pod' && !objects.has(o.key) && objects.size) o.fresh = true; else if (objects.get(o.key)?.fresh) o.fresh = true; objects.set(o.key, o); }
      synced = true;
      stats.lastDeltaAt = performance.now(); stats.deltas++;
      publish();
    });
    return () => { es.close(); if (frame) cancelAnimationFrame(frame); };
  }, []);
  return state;
}

// Natural order ("node-2" before "node-10") costs a collator call per comparison: worth it for
// the few nodes, not for thousands of pods, whose sort ran on every render (localeCompare with
// options, which builds a collator per call, made it hundreds of milliseconds at 3,000 pods).
const collator = new Intl.Collator(undefined, { numeric: true });
const plain = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every object of one kind (optionally in one namespace), by namespace then name (natural order for nodes). */
export function ofKind(objects: Map<string, Slim>, kind: string, ns?: string): Slim[] {
  const out: Slim[] = [];
  for (const o of objects.values()) if (o.kind === kind && (!ns || o.ns === ns)) out.push(o);
  const byName = kind === 'Node' ? collator.compare : plain;
  return out.sort((a, b) => plain(a.ns ?? '', b.ns ?? '') || byName(a.name, b.name));
}

/** The namespaces that have pods or deployments. */
export function namespacesOf(objects: Map<string, Slim>): string[] {
  const s = new Set<string>();
  for (const o of objects.values()) if (o.ns && (o.kind === 'Pod' || o.kind === 'Deployment')) s.add(o.ns);
  return [...s].sort();
}

/** Groups objects by a key function. */
export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) { const k = key(i); const l = m.get(k); if (l) l.push(i); else m.set(k, [i]); }
  return m;
}
