/**
 * Server-side apply and kubectl's client-side apply living together, as Kubernetes'
 * lastAppliedManager / lastAppliedUpdater do for the field manager "kubectl".
 */
import type { KObject } from '../../lib/api/object.js';
import { fieldSetOf, sameValueAt, type FieldSet } from './fieldpath.js';
import type { StructSchema } from './strategies.js';
import { clone, isMap, type JsonMap } from './util.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Kubernetes eases the move from client-side to server-side apply: for the manager "kubectl",
 * conflicts on fields the last-applied annotation sets to their live value are forced.
 */
export function allowedFromLastApplied(live: KObject, manager: string, root: StructSchema): FieldSet {
  const raw = live.metadata?.annotations?.[LAST_APPLIED];
  if (manager !== 'kubectl' || typeof raw !== 'string') return new Set();
  let last: unknown;
  try { last = JSON.parse(raw); } catch { return new Set(); }
  if (!isMap(last)) return new Set();
  return new Set([...fieldSetOf(last, root)].filter((p) => sameValueAt(last, live, p, root)));
}

/** Kubernetes' lastAppliedUpdater: an apply by "kubectl" keeps an existing last-applied annotation current. */
export function syncLastApplied(meta: NonNullable<KObject['metadata']>, manager: string, applied: JsonMap): void {
  if (manager !== 'kubectl' || typeof meta.annotations?.[LAST_APPLIED] !== 'string') return;
  const config = clone(applied) as KObject;
  if (config.metadata?.annotations) {
    delete config.metadata.annotations[LAST_APPLIED];
  }
  meta.annotations[LAST_APPLIED] = JSON.stringify(config);
}
