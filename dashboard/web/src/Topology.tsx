/** Topology: one card per node (address, flannel subnet, backend, readiness) with its pods. */
import { memo } from 'preact/compat';
import { NodeBadge, PodChip } from './badges';
import { groupBy, ofKind, type NodeNetwork } from './store';
import type { Selection, Slim } from './types';

const NodeCard = memo(function NodeCard({ n, pods, backend, select }: { n: Slim; pods: Slim[]; backend?: string; select(s: Selection): void }) {
  const down = n.ready !== 'True';
  return <section class={`node ${down ? 'node-down' : ''}`} data-node={n.name} data-ready={n.ready} aria-label={`node ${n.name}`}>
    <header>
      <button class="link" onClick={() => select({ kind: 'Node', name: n.name })}><strong>▣ {n.name}</strong></button>
      <NodeBadge n={n} />
    </header>
    <div class="meta">{n.ip || 'no address'} · pods {n.podCIDR || '—'}{n.backend || backend ? ` · ${n.backend || backend}` : ''}{n.hollow ? ' · hollow' : ''} · {pods.length} pods</div>
    <div class="pods">{pods.map((p) => <PodChip key={p.key} p={p} select={select} />)}</div>
  </section>;
}, (a, b) => a.n === b.n && a.backend === b.backend && a.select === b.select && a.pods.length === b.pods.length && a.pods.every((p, i) => p === b.pods[i]));

/** The topology view. */
export function Topology({ objects, version, ns, select, network = [] }: { objects: Map<string, Slim>; version: number; ns: string; select(s: Selection): void; network?: NodeNetwork[] }) {
  // The flannel backend comes from the node's annotation, else from its flanneld's metrics.
  const backends = new Map(network.map((x) => [x.node, x.backend]));
  void version;
  const nodes = ofKind(objects, 'Node');
  const byNode = groupBy(ofKind(objects, 'Pod', ns), (p) => p.node ?? '');
  const unscheduled = byNode.get('') ?? [];
  return <div>
    <p class="summary" data-testid="topology-summary">{nodes.length} nodes · {nodes.filter((n) => n.ready === 'True').length} ready · {[...byNode.values()].reduce((a, l) => a + l.length, 0)} pods</p>
    {unscheduled.length ? <section class="node unscheduled" aria-label="unscheduled pods">
      <header><strong>◷ Not scheduled yet</strong></header>
      <div class="pods">{unscheduled.map((p) => <PodChip key={p.key} p={p} select={select} />)}</div>
    </section> : null}
    <div class="nodes">{nodes.map((n) => <NodeCard key={n.key} n={n} pods={byNode.get(n.name) ?? []} backend={backends.get(n.name)} select={select} />)}</div>
  </div>;
}
