/**
 * PersistentVolumeClaim spec defaulting and validation, shared by claims and StatefulSet
 * volumeClaimTemplates; access-mode helpers shared with volumes.
 */
import type { FieldError } from '../../../lib/errors.js';
import type { PersistentVolumeClaimSpec } from '../../../lib/api/types.js';
import { tryParseQuantity, QUANTITY_FORMAT_ERROR } from '../../../lib/api/quantity.js';
import { invalidValue, notSupported, required } from './field.js';
import { validateLabelSelector } from './label-selector.js';

/** Access modes a volume or claim may ask for. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const SHORT_MODES: [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

/** kubectl's access-mode string: `RWO,ROX,RWX,RWOP` in that order. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return SHORT_MODES.filter(([m]) => set.has(m)).map(([, s]) => s).join(',');
}

/** Fills claim spec defaults in place. */
export function defaultPVCSpec(spec: PersistentVolumeClaimSpec): void {
  spec.volumeMode ??= 'Filesystem';
}

/** Validates access modes at `path`. */
export function validateAccessModes(modes: string[] | undefined, path: string): FieldError[] {
  if (!modes?.length) return [required(path, 'at least 1 access mode is required')];
  return modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(path, m, ACCESS_MODES));
}

/** Validates a claim spec at `path` (`spec`, or `spec.volumeClaimTemplates[0].spec`). */
export function validatePVCSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  if (!spec) return [required(path)];
  const errs = [...validateAccessModes(spec.accessModes, `${path}.accessModes`), ...validateLabelSelector(spec.selector, `${path}.selector`)];
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required(`${path}.resources[storage]`));
  else {
    const q = tryParseQuantity(storage);
    if (!q) errs.push(invalidValue(`${path}.resources[storage]`, storage, QUANTITY_FORMAT_ERROR));
    else if (q.num <= 0n) errs.push(invalidValue(`${path}.resources[storage]`, storage, 'must be greater than zero'));
  }
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  return errs;
}
