/** Services and where their traffic goes: ClusterIP/ports → each endpoint (pod, node, ready). */
import { ServiceGraph } from './ServiceGraph';
import { ofKind, type ConnectionsView } from './store';
import type { Selection, Slim } from './types';

const bytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

/** kube-proxy's counters of every port of one Service, summed (keys are `ns/name:port/PROTO`). */
function Connections({ s, connections }: { s: Slim; connections?: ConnectionsView }) {
  if (!connections?.nodes) return <span class="muted" title="no kube-proxy answered (hollow nodes have none)">—</span>;
  const prefix = `${s.ns}/${s.name}:`;
  const t = { active: 0, total: 0, bytesIn: 0, bytesOut: 0, rejected: 0 };
  for (const [k, c] of Object.entries(connections.ports)) if (k.startsWith(prefix)) { t.active += c.active; t.total += c.total; t.bytesIn += c.bytesIn; t.bytesOut += c.bytesOut; t.rejected += c.rejected; }
  return <span data-connections-total={t.total} data-connections-active={t.active} title={`from kube-proxy on ${connections.nodes} node(s)`}>
    ⇄ {t.active} open · {t.total} total{t.bytesIn + t.bytesOut ? ` · ↑${bytes(t.bytesIn)} ↓${bytes(t.bytesOut)}` : ''}{t.rejected ? <span class="st-bad"> · ⚠ {t.rejected} rejected</span> : null}
  </span>;
}

/** The services view; `connections` are kube-proxy's live counters. */
export function Services({ objects, version, ns, select, connections }: { objects: Map<string, Slim>; version: number; ns: string; select(s: Selection): void; connections?: ConnectionsView }) {
  void version;
  return <div><ServiceGraph objects={objects} version={version} ns={ns} select={select} /><table class="grid">
    <caption>Services → endpoints</caption>
    <thead><tr><th scope="col">Service</th><th scope="col">Type / ClusterIP</th><th scope="col">Ports</th><th scope="col">Endpoints</th><th scope="col">Connections (kube-proxy)</th></tr></thead>
    <tbody>{ofKind(objects, 'Service', ns).map((s) => {
      const ep = objects.get(`Endpoints/${s.ns}/${s.name}`);
      const addrs = (ep?.addresses ?? []) as Array<{ ip: string; pod?: string; node?: string; ready: boolean }>;
      return <tr key={s.key} data-service={`${s.ns}/${s.name}`}>
        <td><button class="link" onClick={() => select({ kind: 'Service', ns: s.ns, name: s.name })}>{s.ns}/{s.name}</button></td>
        <td>{s.type} {s.clusterIP}</td>
        <td>{(s.ports ?? []).map((p: Slim) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}→${p.targetPort ?? p.port}/${p.protocol}`).join(', ')}</td>
        <td>{addrs.length ? <ul class="plain">{addrs.map((a) => <li key={a.ip}>
          {a.ready ? '✔' : '✖'} ⟶ {a.ip}{a.pod ? <> <button class="link" onClick={() => select({ kind: 'Pod', ns: s.ns, name: a.pod! })}>{a.pod}</button></> : null}{a.node ? ` @ ${a.node}` : ''}{a.ready ? '' : ' (not ready)'}
        </li>)}</ul> : <span class="muted">no endpoints</span>}</td>
        <td><Connections s={s} connections={connections} /></td>
      </tr>;
    })}</tbody>
  </table></div>;
}
