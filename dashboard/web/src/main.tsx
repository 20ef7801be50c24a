/** The dashboard page: tabs over the live cluster state, a side panel for one object. */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { Apply, SAMPLE } from './Apply';
import { Chaos } from './Chaos';
import { Events } from './Events';
import { Network } from './Network';
import { ObjectPanel } from './ObjectPanel';
import { Services } from './Services';
import { namespacesOf, useCluster } from './store';
import { Topology } from './Topology';
import type { Selection } from './types';
import { Workloads } from './Workloads';
import './style.css';

const TABS = ['Topology', 'Workloads', 'Services', 'Network', 'Events', 'Apply', 'Chaos'] as const;
type Tab = typeof TABS[number];

function App() {
  const { objects, version, connected, synced, network, connections } = useCluster();
  const [tab, setTab] = useState<Tab>('Topology');
  const [ns, setNs] = useState('');
  const [sel, setSel] = useState<Selection | null>(null);
  const [yaml, setYaml] = useState(SAMPLE);
  const select = useCallback((s: Selection) => setSel(s), []);
  const [readOnly, setReadOnly] = useState(false);
  useEffect(() => { get<{ readOnly: boolean }>('info', {}).then((i) => setReadOnly(i.readOnly)).catch(() => undefined); }, []);
  const namespaces = namespacesOf(objects);
  const props = { objects, version, ns, select };
  return <div class={`layout ${sel ? 'with-panel' : ''}`}>
    <header class="top">
      <h1>kubesim</h1>
      <nav role="tablist" aria-label="views">{TABS.map((t) => <button key={t} role="tab" aria-selected={tab === t} data-tab={t} onClick={() => setTab(t)}>{t}</button>)}</nav>
      <label>Namespace <select value={ns} onChange={(e) => setNs((e.target as HTMLSelectElement).value)} data-testid="ns">
        <option value="">all</option>{namespaces.map((n) => <option key={n}>{n}</option>)}</select></label>
      {readOnly ? <span class="badge st-warn" title="apply, scale, delete and chaos are off">⊘ read-only</span> : null}
      <span class={`conn ${connected ? 'st-ok' : 'st-bad'}`} role="status" data-testid="conn">{connected ? (synced ? '● live' : '◌ syncing') : '✖ disconnected'}</span>
    </header>
    <main>
      {tab === 'Topology' ? <Topology {...props} network={network} /> : null}
      {tab === 'Workloads' ? <Workloads {...props} /> : null}
      {tab === 'Services' ? <Services {...props} connections={connections} /> : null}
      {tab === 'Network' ? <Network objects={objects} version={version} network={network} connections={connections} /> : null}
      {tab === 'Events' ? <Events objects={objects} version={version} ns={ns} /> : null}
      {tab === 'Apply' ? <Apply text={yaml} setText={setYaml} /> : null}
      {tab === 'Chaos' ? <Chaos objects={objects} version={version} /> : null}
    </main>
    {sel ? <ObjectPanel sel={sel} view={objects.get(`${sel.kind}/${sel.ns ?? ''}/${sel.name}`)} close={() => setSel(null)}
      setTab={(t) => setSel({ ...sel, tab: t })} edit={(y) => { setYaml(y); setTab('Apply'); }} /> : null}
  </div>;
}

render(<App />, document.getElementById('app')!);
