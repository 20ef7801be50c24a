/** Taint/toleration matching (Kubernetes' Toleration.ToleratesTaint and the "untolerated taint" search). */
import type { Taint, Toleration } from '../../framework/types.js';

/** True when the toleration tolerates the taint: same effect (or any), same key (or any with Exists), value per operator. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  // An empty key with Exists tolerates everything; an empty key with Equal is invalid and matches nothing.
  if (op === 'Exists') return true;
  if (op !== 'Equal' || !t.key) return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first taint (among those `relevant` keeps) that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, relevant: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!relevant(taint)) continue;
    if (!(tolerations ?? []).some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}
