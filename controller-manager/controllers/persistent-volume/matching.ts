/**
 * Which PersistentVolume a claim may bind (Kubernetes' findMatchingVolume): same storage class,
 * the claim's access modes a subset of the volume's, same volumeMode, labels matching the
 * claim's selector, capacity at least the request; among fitting volumes the smallest wins.
 * A volume pre-bound to the claim (spec.claimRef) or named by it (spec.volumeName) is taken first.
 */
import type { PersistentVolume, PersistentVolumeClaim } from '../../../lib/api/types.js';
import { compareQuantities, tryParseQuantity, type Quantity } from '../../../lib/api/quantity.js';
import { selectorFromLabelSelector } from '../../../lib/labels/selector.js';

/** Annotations and names shared by the binder and the provisioner (as Kubernetes spells them). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** The claim's storage class: its storageClassName, or the default class when unset (the DefaultStorageClass admission's job). */
export function claimClass(claim: PersistentVolumeClaim, defaultClass: string | undefined): string {
  const c = claim.spec?.storageClassName;
  return c === undefined || c === null ? (defaultClass ?? '') : c;
}

/** True when the volume is pre-bound to this claim (claimRef by name, uid empty or equal). */
export function preBoundTo(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  return !!ref && ref.name === claim.metadata?.name && ref.namespace === claim.metadata?.namespace && (!ref.uid || ref.uid === claim.metadata?.uid);
}

/** The reasons this volume cannot serve this claim (empty = it can), ignoring who holds it. */
export function mismatches(pv: PersistentVolume, claim: PersistentVolumeClaim, claimClassName: string): string[] {
  const out: string[] = [];
  const spec = pv.spec ?? {};
  if ((spec.storageClassName ?? '') !== claimClassName) out.push('storage class');
  const have = new Set(spec.accessModes ?? []);
  if (!(claim.spec?.accessModes ?? []).every((m) => have.has(m))) out.push('access modes');
  if ((spec.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) out.push('volume mode');
  if (claim.spec?.selector && !selectorFromLabelSelector(claim.spec.selector as never).matches(pv.metadata?.labels)) out.push('selector');
  const want = tryParseQuantity(claim.spec?.resources?.requests?.storage);
  const cap = tryParseQuantity(spec.capacity?.storage);
  if (!want || !cap || compareQuantities(cap, want) < 0) out.push('capacity');
  return out;
}

/** True when the volume is free to bind: no claimRef and not being deleted. */
export function isAvailable(pv: PersistentVolume): boolean {
  return !pv.spec?.claimRef && !pv.metadata?.deletionTimestamp;
}

/** The best volume for the claim among `pvs`, or undefined. */
export function findMatchingVolume(claim: PersistentVolumeClaim, pvs: PersistentVolume[], claimClassName: string): PersistentVolume | undefined {
  const named = claim.spec?.volumeName;
  const pre = pvs.find((pv) => preBoundTo(pv, claim) && (!named || pv.metadata?.name === named) && mismatches(pv, claim, claimClassName).length === 0);
  if (pre) return pre;
  let best: { pv: PersistentVolume; cap: Quantity } | undefined;
  for (const pv of pvs) {
    if (!isAvailable(pv)) continue;
    if (named && pv.metadata?.name !== named) continue;
    if (mismatches(pv, claim, claimClassName).length) continue;
    const cap = tryParseQuantity(pv.spec?.capacity?.storage)!;
    if (!best || compareQuantities(cap, best.cap) < 0) best = { pv, cap };
  }
  return best?.pv;
}
