/**
 * What every chaos action needs about a running local cluster: its state (cluster.json), its
 * layout (addresses, ports, bridge) and its nodes' layouts. Loaded fresh for each action so
 * pids written back by a restart are seen by the next one.
 */
import { clusterLayout, nodeLayout, type ClusterLayout, type NodeLayout } from '../cluster/layout.js';
import { readState, type ClusterState } from '../cluster/state.js';
import { apiURL } from '../cluster/components.js';
import type { IOptions } from 'etcd3';
import { etcdClientURLs, etcdHostClientOptions, etcdMemberCount } from '../cluster/etcd.js';
import { UserError } from '../commands/up.js';

/** A loaded cluster: state, layout and per-node layouts. */
export interface ChaosContext {
  state: ClusterState; layout: ClusterLayout; nodes: NodeLayout[]; apiURL: string;
  /** Client URLs of every etcd member on 127.0.0.1 (give them all to a client: one may be down). */
  etcdEndpoints: string[];
  /** etcd3 client options for them: endpoints, etcd's CA and the host tools' client certificate. */
  etcdOptions: IOptions;
}

/** Loads cluster `name`; UserError when it does not exist. */
export function loadContext(name: string): ChaosContext {
  const state = readState(name);
  if (!state) throw new UserError(`no cluster named "${name}" (start one with: kubesim up --name ${name})`);
  const layout = clusterLayout(name, state.index);
  const nodes = state.nodes.map((n) => nodeLayout(layout, n.index, n.name));
  return { state, layout, nodes, apiURL: apiURL(layout), etcdEndpoints: etcdClientURLs(layout, etcdMemberCount(state), 'loopback'),
    etcdOptions: etcdHostClientOptions(layout, etcdMemberCount(state)) };
}

/** The layout of node `name`; UserError listing the known nodes when there is none. */
export function nodeOf(ctx: ChaosContext, name: string): NodeLayout {
  const n = ctx.nodes.find((x) => x.name === name);
  if (!n) throw new UserError(`no node "${name}" in cluster "${ctx.state.name}" (nodes: ${ctx.nodes.map((x) => x.name).join(', ')})`);
  return n;
}

/** Parses "100ms", "5s", "2m", "1.5s" or a bare number of seconds into milliseconds. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') return v * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new UserError(`invalid duration "${v}": use e.g. 500ms, 5s, 2m`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** Parses "5%", "0.05" or "5" (percent when > 1) into a probability 0..1. */
export function parsePercent(v: string | number): number {
  const s = String(v).trim();
  const n = Number(s.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new UserError(`invalid percentage "${v}": use e.g. 5%`);
  const p = s.endsWith('%') || n > 1 ? n / 100 : n;
  if (p > 1) throw new UserError(`invalid percentage "${v}": at most 100%`);
  return p;
}
