/**
 * PodDisruptionBudgets on the eviction path (what `kubectl drain` relies on): an eviction that
 * would leave fewer healthy pods than a matching budget requires is 429, as Kubernetes answers.
 * Health is computed from the pods themselves (Ready condition), since no disruption controller
 * keeps PDB status here.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { selectorFromLabelSelector, type LabelSelector } from '../../lib/labels/selector.js';
import { collectionKey } from '../storage/keys.js';
import type { RegistryCore } from './context.js';

interface PdbSpec { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string }

/** True when the pod has condition Ready=True. */
export function isPodReady(pod: KObject): boolean {
  const conds = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function alive(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return !pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/** An int-or-percent scaled against `total`, rounding up (Kubernetes' GetScaledValueFromIntOrPercent). */
export function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** Healthy pods a budget needs, given the pods it covers. */
export function desiredHealthy(spec: PdbSpec, expected: number): number {
  if (spec.minAvailable !== undefined) return scaled(spec.minAvailable, expected);
  if (spec.maxUnavailable !== undefined) return Math.max(0, expected - scaled(spec.maxUnavailable, expected));
  return 0;
}

/** Throws 429 TooManyRequests when evicting `pod` would break a PodDisruptionBudget of its namespace. */
export async function checkDisruptionBudgets(core: RegistryCore, pod: KObject): Promise<void> {
  const ns = pod.metadata?.namespace;
  if (!ns || !alive(pod) || !isPodReady(pod)) return; // evicting an unhealthy pod costs no healthy one
  const pdbs = (await core.store.list(collectionKey(core.prefix, 'poddisruptionbudgets', ns))).items.map((s) => s.obj);
  if (!pdbs.length) return;
  const labels = pod.metadata?.labels ?? {};
  const covering = pdbs.filter((p) => (p.spec as PdbSpec | undefined)?.selector && selectorFromLabelSelector((p.spec as PdbSpec).selector).matches(labels));
  if (!covering.length) return;
  const pods = (await core.store.list(collectionKey(core.prefix, 'pods', ns))).items.map((s) => s.obj).filter(alive);
  for (const pdb of covering) {
    const spec = pdb.spec as PdbSpec;
    const sel = selectorFromLabelSelector(spec.selector);
    const matching = pods.filter((p) => sel.matches(p.metadata?.labels ?? {}));
    const healthy = matching.filter(isPodReady).length;
    const desired = desiredHealthy(spec, matching.length);
    if (healthy - 1 < desired) {
      throw new ApiError('TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata?.name} needs ${desired} healthy pods and has ${healthy} currently` }],
      });
    }
  }
}
