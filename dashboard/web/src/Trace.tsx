/**
 * Trace between two pods: the hop-by-hop path of `kubesim trace` (pod → cni0 → flannel.1 →
 * underlay → remote node → pod) with the route, ARP/FDB entry or flannel lease that decides each
 * hop, read by the server from each node's flanneld (/tables).
 */
import { useState } from 'preact/hooks';
import { get, StatusError } from './api';
import { ofKind } from './store';
import type { Slim } from './types';

interface Hop { where: string; detail: string; decidedBy?: Array<{ table: 'route' | 'arp' | 'fdb' | 'lease'; entry: string }> }

const TABLE = { route: '↦ route', arp: '⇄ ARP', fdb: '⇶ FDB', lease: '◆ flannel lease' } as const;

/** The trace box of the network view. */
export function Trace({ objects }: { objects: Map<string, Slim> }) {
  const pods = ofKind(objects, 'Pod').filter((p) => p.ip && p.node);
  const [from, setFrom] = useState(''); const [to, setTo] = useState('');
  const [hops, setHops] = useState<Hop[] | null>(null);
  const [error, setError] = useState(''); const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true); setError(''); setHops(null);
    try { setHops((await get<{ hops: Hop[] }>('trace', { from, to })).hops); } catch (err) { setError(err instanceof StatusError ? err.message : String(err)); }
    setBusy(false);
  };
  const picker = (label: string, value: string, set: (v: string) => void, id: string) => <label>{label} <select data-testid={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
    <option value="">— pod —</option>{pods.map((p) => <option key={p.key} value={`${p.ns}/${p.name}`}>{p.ns}/{p.name} ({p.ip} @ {p.node})</option>)}</select></label>;
  return <section class="workload" aria-label="trace between two pods">
    <header><strong>⇢ Trace a packet between two pods</strong> <span class="meta">as the kernel tables and flannel leases on the nodes decide it</span></header>
    <div class="toolbar">{picker('From', from, setFrom, 'trace-from')}{picker('To', to, setTo, 'trace-to')}
      <button onClick={run} disabled={!from || !to || busy} data-testid="trace-run">{busy ? 'Tracing…' : 'Trace'}</button></div>
    {error ? <p class="error" role="alert">{error}</p> : null}
    {hops ? <ol class="hops" data-testid="trace">{hops.map((h, i) => <li key={i} data-hop={i}><strong>{h.where}</strong><code>{h.detail}</code>
      {h.decidedBy?.length ? <ul class="decided" aria-label="decided by">{h.decidedBy.map((d, j) => <li key={j} data-table={d.table}><span class="badge st-done">{TABLE[d.table]}</span> <code>{d.entry}</code></li>)}</ul> : null}</li>)}</ol> : null}
  </section>;
}
