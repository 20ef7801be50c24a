/** The side panel for one object: YAML, logs (with follow), the scheduler's decision, a terminal, edit, delete. */
import { useEffect, useState } from 'preact/hooks';
import { get, post, streamLogs, StatusError } from './api';
import type { Selection, Slim } from './types';
import { Terminal } from './Terminal';

function Decision({ json }: { json: string | null }) {
  if (!json) return <p class="muted">No decision record (the scheduler runs without --decision-annotation, or the pod was bound directly).</p>;
  let d: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try { d = JSON.parse(json); } catch { return <pre>{json}</pre>; }
  const nodes = new Set<string>([...Object.keys(d.filter ?? {}), ...Object.keys(d.finalScore ?? {})]);
  const pre = Object.entries(d.preFilter ?? {}).filter(([, v]) => v !== 'passed');
  return <table class="grid"><caption>Selected node: {d.selectedNode ?? 'none'}{pre.length ? ` · PreFilter rejected: ${pre.map(([p, v]) => `${p}: ${v}`).join('; ')}` : ''}</caption>
    <thead><tr><th scope="col">Node</th><th scope="col">Filter verdicts</th><th scope="col">Score</th></tr></thead>
    <tbody>{[...nodes].map((n) => {
      const rejected = Object.entries(d.filter?.[n] ?? {}).filter(([, v]) => v !== 'passed');
      const scores = Object.entries(d.score?.[n] ?? {}) as Array<[string, { weighted?: number }]>;
      return <tr key={n} data-decision-node={n}><td>{n === d.selectedNode ? '★ selected: ' : ''}{n}</td>
        <td>{rejected.length ? rejected.map(([p, r]) => <div key={p}>✖ {p}: {String(r)}</div>) : `✔ passed all ${Object.keys(d.filter?.[n] ?? {}).length} filters`}</td>
        <td>{d.finalScore?.[n] ?? '—'}{scores.length ? <div class="meta">{scores.map(([p, s]) => `${p} ${s.weighted ?? ''}`).join(' · ')}</div> : null}</td></tr>;
    })}</tbody></table>;
}

function Logs({ sel, containers }: { sel: Selection; containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const ac = new AbortController();
    setText(''); setError('');
    streamLogs({ namespace: sel.ns!, name: sel.name, container, follow }, (t) => setText((old) => (old + t).slice(-200_000)), ac.signal)
      .catch((err) => { if (!ac.signal.aborted) setError(err instanceof StatusError ? err.message : String(err)); });
    return () => ac.abort();
  }, [sel.ns, sel.name, container, follow]);
  return <div>
    <div class="toolbar">
      <label>Container <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>{containers.map((c) => <option key={c}>{c}</option>)}</select></label>
      <label><input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow</label>
    </div>
    {error ? <p class="error" role="alert">{error}</p> : null}
    <pre class="logs" data-testid="logs" aria-live="polite">{text}</pre>
  </div>;
}

/** The panel; `edit` moves the YAML to the Apply view. */
export function ObjectPanel({ sel, view, close, edit, setTab }: { sel: Selection; view?: Slim; close(): void; edit(yaml: string): void; setTab(t: Selection['tab']): void }) {
  const [yaml, setYaml] = useState('');
  const [decision, setDecision] = useState<string | null>(null);
  const [error, setError] = useState('');
  const tab = sel.tab ?? 'yaml';
  const rv = view?.rv; // refetch the YAML when the live object changes
  useEffect(() => {
    setError('');
    get<{ yaml: string; decision: string | null }>('object', { kind: sel.kind, namespace: sel.ns, name: sel.name })
      .then((r) => { setYaml(r.yaml); setDecision(r.decision); })
      .catch((err) => setError(err instanceof StatusError ? err.message : String(err)));
  }, [sel.kind, sel.ns, sel.name, rv, tab]);
  const remove = async () => {
    if (!confirm(`Delete ${sel.kind} ${sel.ns ? `${sel.ns}/` : ''}${sel.name}?`)) return;
    try { await post('delete', { kind: sel.kind, namespace: sel.ns, name: sel.name }); close(); } catch (err) { setError((err as Error).message); }
  };
  const tabs: Array<[Selection['tab'], string]> = [['yaml', 'YAML']];
  if (sel.kind === 'Pod') tabs.push(['logs', 'Logs'], ['decision', 'Scheduling'], ['exec', '⌨ Terminal']);
  return <aside class="panel" aria-label={`${sel.kind} ${sel.name}`} data-testid="panel">
    <header>
      <h2>{sel.kind} {sel.ns ? `${sel.ns}/` : ''}{sel.name}</h2>
      <button onClick={close} aria-label="close panel">✕</button>
    </header>
    <div role="tablist">{tabs.map(([id, label]) => <button key={id} role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>{label}</button>)}
      <button onClick={() => edit(yaml)}>✎ Edit</button><button class="danger" onClick={remove}>✖ Delete</button></div>
    {error ? <p class="error" role="alert">{error}</p> : null}
    {tab === 'yaml' ? <pre class="yaml" data-testid="yaml">{yaml}</pre> : null}
    {tab === 'logs' ? <Logs sel={sel} containers={(view?.containers as string[] | undefined) ?? []} /> : null}
    {tab === 'decision' ? <Decision json={decision} /> : null}
    {tab === 'exec' ? <Terminal sel={sel} containers={(view?.containers as string[] | undefined) ?? []} /> : null}
  </aside>;
}
