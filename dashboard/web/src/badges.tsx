/** Status badges and pod chips: every state has an icon and a word, never colour alone. */
import { memo } from 'preact/compat';
import type { Selection, Slim } from './types';

/** The look of a pod: a CSS class, an icon and a label. */
export function podState(p: Slim): { cls: string; icon: string; label: string } {
  if (p.reason === 'Terminating') return { cls: 'st-term', icon: '⏏', label: 'Terminating' };
  if (p.phase === 'Running') return p.ready ? { cls: 'st-ok', icon: '●', label: 'Running' } : { cls: 'st-warn', icon: '◐', label: `Running, not ready${p.reason ? ` (${p.reason})` : ''}` };
  if (p.phase === 'Succeeded') return { cls: 'st-done', icon: '✔', label: 'Succeeded' };
  if (p.phase === 'Failed') return { cls: 'st-bad', icon: '✖', label: `Failed${p.reason ? ` (${p.reason})` : ''}` };
  if (p.reason) return { cls: 'st-bad', icon: '!', label: `Pending (${p.reason})` };
  return { cls: 'st-pend', icon: '…', label: p.node ? 'Pending' : 'Pending, unscheduled' };
}

/** Which addon a pod belongs to (DNS, ingress), if any. */
export function addonOf(p: Slim): string | undefined {
  const l = p.labels ?? {};
  if (l['k8s-app'] === 'kube-dns') return 'DNS';
  if (l['app.kubernetes.io/component'] === 'controller' && /ingress/.test(l['app.kubernetes.io/name'] ?? '')) return 'Ingress';
  if (l['k8s-app'] === 'kubesim-dashboard') return 'Dashboard';
  return undefined;
}

/** Node readiness badge. */
export function NodeBadge({ n }: { n: Slim }) {
  const ready = n.ready === 'True';
  return <span class={`badge ${ready ? 'st-ok' : 'st-bad'}`} data-testid="node-status">
    {ready ? '✔ Ready' : n.ready === 'False' ? '✖ NotReady' : '? NotReady (Unknown)'}
    {n.unschedulable ? ' · ⊘ SchedulingDisabled' : ''}
  </span>;
}

/** A clickable pod chip. */
export const PodChip = memo(function PodChip({ p, select }: { p: Slim; select(s: Selection): void }) {
  const st = podState(p);
  const addon = addonOf(p);
  return <button class={`pod ${st.cls}${p.fresh ? ' fresh' : ''}`} data-pod={`${p.ns}/${p.name}`} data-phase={p.phase} data-ready={String(!!p.ready)}
    title={`${p.ns}/${p.name}: ${st.label}${p.ip ? `, IP ${p.ip}` : ''}${p.restarts ? `, ${p.restarts} restarts` : ''}`}
    onClick={() => select({ kind: 'Pod', ns: p.ns, name: p.name })}>
    <span aria-hidden="true">{st.icon}</span> {addon ? <span class="addon">{addon}</span> : null}{p.name}
    {p.restarts ? <span class="restarts" title="restarts"> ↻{p.restarts}</span> : null}
    <span class="sr-only"> — {st.label}</span>
  </button>;
});
