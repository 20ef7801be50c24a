/** The overlay between nodes: per-peer packet and byte rates and drops from each node's flanneld; a trace between two pods. */
import { ofKind, type ConnectionsView, type NodeNetwork } from './store';
import { Trace } from './Trace';
import type { Slim } from './types';

const human = (bps: number) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} MB/s` : bps >= 1e3 ? `${(bps / 1e3).toFixed(1)} kB/s` : `${bps.toFixed(0)} B/s`);

/** The network view. */
export function Network({ objects, version, network, connections }: { objects: Map<string, Slim>; version: number; network: NodeNetwork[]; connections?: ConnectionsView }) {
  void version;
  return <div><Trace objects={objects} /><Rates objects={objects} network={network} /><ProxyConnections connections={connections} /></div>;
}

/** kube-proxy's counters per service port (all nodes summed), busiest first. */
function ProxyConnections({ connections }: { connections?: ConnectionsView }) {
  const rows = Object.entries(connections?.ports ?? {}).sort(([, x], [, y]) => y.total - x.total);
  return <section class="workload" aria-label="kube-proxy connections">
    <header><strong>⇄ kube-proxy connections per service port</strong> <span class="meta">{connections ? `from ${connections.nodes} node(s)${connections.unreachable.length ? ` · ✖ unreachable: ${connections.unreachable.join(', ')}` : ''}` : 'waiting for kube-proxy'}</span></header>
    {rows.length ? <table class="grid"><thead><tr><th scope="col">Service port</th><th scope="col">Open</th><th scope="col">Total</th><th scope="col">Bytes in / out</th><th scope="col">Rejected</th></tr></thead>
      <tbody>{rows.map(([k, c]) => <tr key={k} data-service-port={k}><td>{k}</td><td>{c.active}</td><td>{c.total}</td><td>{human(c.bytesIn).replace('/s', '')} / {human(c.bytesOut).replace('/s', '')}</td>
        <td class={c.rejected ? 'st-bad' : ''}>{c.rejected ? `⚠ ${c.rejected}` : 0}</td></tr>)}</tbody></table> : <p class="muted">no proxied connections yet</p>}
  </section>;
}

function Rates({ objects, network }: { objects: Map<string, Slim>; network: NodeNetwork[] }) {
  if (!network.length) return <p class="muted">No overlay counters: the dashboard was started without flanneld metrics endpoints (<code>kubesim dashboard</code> passes them).</p>;
  const byIP = new Map(ofKind(objects, 'Node').map((n) => [n.ip as string, n.name]));
  return <div>{network.map((n) => <section class="workload" key={n.node} data-network-node={n.node}>
    <header><strong>▣ {n.node}</strong> <span class="meta">{n.backend || 'backend ?'}</span>{n.ok ? null : <span class="badge st-bad">✖ metrics unreachable: {n.error}</span>}</header>
    {n.peers.length ? <table class="grid"><thead><tr><th scope="col">Peer</th><th scope="col">Sent</th><th scope="col">Received</th><th scope="col">Drops</th></tr></thead>
      <tbody>{n.peers.map((p) => <tr key={p.peer}>
        <td>⟶ {byIP.get(p.peer) ?? '?'} ({p.peer})</td>
        <td>{p.txPps.toFixed(0)} pkt/s · {human(p.txBps)}</td><td>{p.rxPps.toFixed(0)} pkt/s · {human(p.rxBps)}</td>
        <td class={p.dropsPerSec > 0 ? 'st-bad' : ''}>{p.dropsPerSec > 0 ? '⚠ ' : ''}{p.drops} total · {p.dropsPerSec.toFixed(1)}/s</td>
      </tr>)}</tbody></table> : <p class="muted">no peers yet</p>}
  </section>)}</div>;
}
