/**
 * Services with lines to their endpoints, laid out by cytoscape (loaded on first use, bundled):
 * each node a box holding its pods, each Service a diamond with an edge to every endpoint pod
 * (solid = ready, dashed = not ready). Large clusters are filtered by namespace first.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ofKind } from './store';
import type { Selection, Slim } from './types';

const MAX_PODS = 400;

type Cy = import('cytoscape').Core;

/** Cytoscape elements for the services, their endpoint pods and those pods' nodes. */
export function graphElements(objects: Map<string, Slim>, ns: string): Array<{ data: Record<string, unknown>; classes?: string }> {
  const els: Array<{ data: Record<string, unknown>; classes?: string }> = [];
  const pods = new Set<string>(); const nodes = new Set<string>();
  const services = ofKind(objects, 'Service', ns);
  for (const s of services) {
    els.push({ data: { id: s.key, label: `${s.name}\n${s.clusterIP ?? ''}` }, classes: 'svc' });
    const ep = objects.get(`Endpoints/${s.ns}/${s.name}`);
    for (const a of (ep?.addresses ?? []) as Array<{ ip: string; pod?: string; ready: boolean }>) {
      const pod = a.pod ? objects.get(`Pod/${s.ns}/${a.pod}`) : undefined;
      const target = pod ? pod.key : `ip/${a.ip}`;
      if (!pods.has(target)) {
        pods.add(target);
        if (pod?.node) nodes.add(pod.node);
        els.push({ data: { id: target, label: pod ? `${pod.name}\n${a.ip}` : a.ip, parent: pod?.node ? `Node//${pod.node}` : undefined }, classes: pod?.ready ? 'pod ready' : 'pod' });
      }
      els.push({ data: { id: `${s.key}->${target}`, source: s.key, target }, classes: a.ready ? 'ready' : 'notready' });
    }
  }
  for (const n of nodes) {
    const node = objects.get(`Node//${n}`);
    els.push({ data: { id: `Node//${n}`, label: `${n} ${node?.ready === 'True' ? '✔ Ready' : '✖ NotReady'}` }, classes: node?.ready === 'True' ? 'node' : 'node down' });
  }
  return els;
}

/** The graph view. */
export function ServiceGraph({ objects, version, ns, select }: { objects: Map<string, Slim>; version: number; ns: string; select(s: Selection): void }) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Cy | null>(null);
  const [error, setError] = useState('');
  const els = graphElements(objects, ns);
  const podCount = els.filter((e) => e.classes?.startsWith('pod')).length;
  const shape = els.map((e) => e.data.id).join('|');
  useEffect(() => {
    if (podCount > MAX_PODS || !box.current) return;
    let dead = false;
    import('cytoscape').then(({ default: cytoscape }) => {
      if (dead || !box.current) return;
      cy.current?.destroy();
      cy.current = cytoscape({
        container: box.current, elements: els, wheelSensitivity: 0.3,
        layout: { name: 'cose', animate: false, nodeDimensionsIncludeLabels: true, nodeOverlap: 60, nodeRepulsion: () => 12_000, idealEdgeLength: () => 90, componentSpacing: 100, padding: 30, randomize: true, numIter: 2000 } as import('cytoscape').LayoutOptions,
        style: [
          { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 15, 'text-valign': 'center', 'text-halign': 'center' } },
          { selector: '.svc', style: { shape: 'diamond', 'background-color': '#93c5fd', width: 60, height: 60, 'text-valign': 'bottom' } },
          { selector: '.pod', style: { shape: 'round-rectangle', 'background-color': '#fde68a', width: 'label', height: 'label', padding: '6px', 'border-width': 2, 'border-style': 'dashed', 'border-color': '#b45309' } },
          { selector: '.pod.ready', style: { 'background-color': '#bbf7d0', 'border-style': 'solid', 'border-color': '#15803d' } },
          { selector: '.node', style: { padding: '14px', 'background-color': '#f1f5f9', 'border-width': 2, 'border-color': '#475569', 'text-valign': 'top', 'font-weight': 'bold' } },
          { selector: '.node.down', style: { 'border-color': '#b91c1c', 'border-style': 'dashed', 'background-color': '#fee2e2' } },
          { selector: 'edge', style: { width: 2, 'line-color': '#1d4ed8', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#1d4ed8', 'curve-style': 'bezier' } },
          { selector: 'edge.notready', style: { 'line-style': 'dashed', 'line-color': '#b91c1c', 'target-arrow-color': '#b91c1c' } },
        ],
      });
      cy.current.on('tap', 'node', (ev) => {
        const [kind, n, name] = String(ev.target.id()).split('/');
        if (kind === 'Pod' || kind === 'Service' || kind === 'Node') select({ kind, ns: n || undefined, name });
      });
    }).catch((err) => setError(String(err)));
    return () => { dead = true; };
    // Re-layout only when the set of elements changes, not on every status update.
  }, [shape]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    // Status changes (readiness) restyle in place.
    for (const e of els) cy.current?.getElementById(String(e.data.id)).classes(e.classes ?? '');
  }, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => { cy.current?.destroy(); cy.current = null; }, []);
  if (podCount > MAX_PODS) return <p class="muted">{podCount} endpoint pods: pick a namespace to draw the graph (the table below lists every endpoint).</p>;
  return <div>
    {error ? <p class="error">{error}</p> : null}
    <div ref={box} class="graph" data-testid="service-graph" data-elements={els.length} role="img" aria-label="Services and their endpoint pods on their nodes; the table below has the same information" />
  </div>;
}
