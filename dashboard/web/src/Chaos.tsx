/** Chaos buttons, from the actions the server was started with (none → a note). */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api';
import { ofKind } from './store';
import type { Slim } from './types';

interface Action { id: string; label: string; target: 'node' | 'component' | 'none' }

/** The chaos view. */
export function Chaos({ objects, version }: { objects: Map<string, Slim>; version: number }) {
  void version;
  const [actions, setActions] = useState<Action[] | null>(null);
  const [msg, setMsg] = useState('');
  useEffect(() => { get<{ chaos: Action[] }>('info', {}).then((r) => setActions(r.chaos)).catch(() => setActions([])); }, []);
  if (!actions) return <p>Loading…</p>;
  if (!actions.length) return <p class="muted">No chaos actions: start the dashboard with <code>kubesim dashboard</code> to get them.</p>;
  const run = async (a: Action, target: string) => {
    setMsg(`${a.label} ${target}…`);
    try { setMsg((await post<{ message: string }>('chaos', { action: a.id, target })).message); } catch (err) { setMsg(`✖ ${(err as Error).message}`); }
  };
  const nodes = ofKind(objects, 'Node');
  return <div>
    {actions.filter((a) => a.target === 'node').map((a) => <section key={a.id} class="workload"><h3>{a.label}</h3>
      {nodes.map((n) => <button key={n.name} class="danger" data-testid={`chaos-${a.id}-${n.name}`} onClick={() => run(a, n.name)}>↯ {a.label} {n.name}</button>)}
    </section>)}
    {actions.filter((a) => a.target !== 'node').map((a) => <button key={a.id} class="danger" onClick={() => run(a, a.target === 'none' ? '' : prompt(`${a.label}: which ${a.target}?`) ?? '')}>↯ {a.label}</button>)}
    {msg ? <p role="status">{msg}</p> : null}
    <p class="muted">What happens next shows in Events and Topology.</p>
  </div>;
}
