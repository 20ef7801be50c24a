/** Deployment arithmetic shared by the strategies (as Kubernetes' deployment/util). */
import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** Resolves an int-or-percent against total (percent rounded up for surge, down for unavailable). */
export function intOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number.parseInt(x, 10) || 0;
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/** maxSurge and maxUnavailable of a RollingUpdate deployment (both 0 is turned into unavailable 1). */
export function surgeAndUnavailable(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = intOrPercent(ru?.maxSurge as never, replicas, true, '25%');
  let unavailable = intOrPercent(ru?.maxUnavailable as never, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/** Revision number of an RS (0 when unset). */
export function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata?.annotations?.[REVISION] ?? 0) || 0;
}

/** Sum of spec.replicas. */
export function specReplicas(rss: ReplicaSet[]): number {
  return rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
}

/** Sum of a status field. */
export function statusSum(rss: ReplicaSet[], f: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return rss.reduce((n, rs) => n + ((rs.status as Record<string, number> | undefined)?.[f] ?? 0), 0);
}

/** Oldest first (creation time, then name). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const t = (r: ReplicaSet) => Date.parse(r.metadata?.creationTimestamp ?? '') || 0;
  return t(a) - t(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}
