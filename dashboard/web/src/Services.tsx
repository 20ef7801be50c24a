/** Services and where their traffic goes: ClusterIP/ports → each endpoint (pod, node, ready). */
import { ServiceGraph } from './ServiceGraph';
import { ofKind } from './store';
import type { Selection, Slim } from './types';

/** The services view. */
export function Services({ objects, version, ns, select }: { objects: Map<string, Slim>; version: number; ns: string; select(s: Selection): void }) {
  void version;
  return <div><ServiceGraph objects={objects} version={version} ns={ns} select={select} /><table class="grid">
    <caption>Services → endpoints</caption>
    <thead><tr><th scope="col">Service</th><th scope="col">Type / ClusterIP</th><th scope="col">Ports</th><th scope="col">Endpoints</th></tr></thead>
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
      </tr>;
    })}</tbody>
  </table></div>;
}
