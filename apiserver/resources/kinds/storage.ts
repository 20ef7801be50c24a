/**
 * PersistentVolumes, PersistentVolumeClaims and StorageClasses: defaults (Retain, Filesystem,
 * Delete/Immediate), validation, the initial Pending phase, claim spec immutability (only
 * storage requests may grow), tables.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../lib/api/types.js';
import type { FieldError } from '../../../lib/errors.js';
import type { KindBehaviour } from '../define.js';
import { tryParseQuantity, compareQuantities, QUANTITY_FORMAT_ERROR } from '../../../lib/api/quantity.js';
import { isQualifiedName } from '../../../lib/labels/validation.js';
import { defaultPVCSpec, validateAccessModes, validatePVCSpec } from '../common/pvc.js';
import { forbidden, invalidIf, invalidValue, jsonEqual, notSupported, required, FIELD_IMMUTABLE } from '../common/field.js';
import { PV_COLUMNS, pvRow, PVC_COLUMNS, pvcRow, STORAGE_CLASS_COLUMNS, storageClassRow } from '../printers/storage.js';

const RECLAIM = ['Delete', 'Recycle', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const PV_SOURCES = ['hostPath', 'nfs', 'local'];
/** Kubernetes' message for a forbidden claim spec change. */
export const PVC_UPDATE_FORBIDDEN = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function validatePV(obj: KObject): FieldError[] {
  const spec = (obj as PersistentVolume).spec;
  if (!spec) return [required('spec')];
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  const storage = spec.capacity?.storage;
  if (storage === undefined) errs.push(required('spec.capacity'));
  else if (!tryParseQuantity(storage)) errs.push(invalidValue('spec.capacity[storage]', storage, QUANTITY_FORMAT_ERROR));
  const sources = PV_SOURCES.filter((s) => (spec as Record<string, unknown>)[s] != null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM.includes(spec.persistentVolumeReclaimPolicy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM));
  if (spec.hostPath && !spec.hostPath.path) errs.push(required('spec.hostPath.path'));
  return errs;
}

/** PersistentVolume behaviour. */
export const persistentVolumes: KindBehaviour = {
  defaults(obj) {
    const spec = ((obj as PersistentVolume).spec ??= {});
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  validateCreate: validatePV,
  validateUpdate(obj, old) {
    const errs = validatePV(obj);
    if ((obj as PersistentVolume).spec?.volumeMode !== (old as PersistentVolume).spec?.volumeMode) errs.push(invalidValue('spec.volumeMode', (obj as PersistentVolume).spec?.volumeMode, FIELD_IMMUTABLE));
    return errs;
  },
  prepareForCreate: (obj) => { (obj as PersistentVolume).status = { phase: 'Pending' }; },
  tableColumns: PV_COLUMNS,
  tableRow: pvRow,
};

function validatePVCUpdate(obj: KObject, old: KObject): FieldError[] {
  const spec = (obj as PersistentVolumeClaim).spec ?? {};
  const before = (old as PersistentVolumeClaim).spec ?? {};
  const errs = validatePVCSpec(spec, 'spec');
  // volumeName may be filled in once (binding); requests may change; the rest is frozen.
  const strip = (s: typeof spec, volumeName: string | undefined) => ({ ...s, resources: undefined, volumeName });
  if (!jsonEqual(strip(spec, before.volumeName ? spec.volumeName : undefined), strip(before, before.volumeName))) {
    errs.push(forbidden('spec', PVC_UPDATE_FORBIDDEN));
  }
  const now = tryParseQuantity(spec.resources?.requests?.storage);
  const was = tryParseQuantity(before.resources?.requests?.storage);
  if (now && was && compareQuantities(now, was) < 0) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errs;
}

/** PersistentVolumeClaim behaviour. */
export const persistentVolumeClaims: KindBehaviour = {
  defaults: (obj) => defaultPVCSpec(((obj as PersistentVolumeClaim).spec ??= {})),
  validateCreate: (obj) => validatePVCSpec((obj as PersistentVolumeClaim).spec, 'spec'),
  validateUpdate: validatePVCUpdate,
  prepareForCreate: (obj) => { (obj as PersistentVolumeClaim).status = { phase: 'Pending' }; },
  tableColumns: PVC_COLUMNS,
  tableRow: pvcRow,
};

function validateStorageClass(obj: KObject): FieldError[] {
  const sc = obj as StorageClass;
  const errs: FieldError[] = [];
  if (!sc.provisioner) errs.push(required('provisioner'));
  else errs.push(...invalidIf('provisioner', sc.provisioner, isQualifiedName(sc.provisioner.toLowerCase())));
  if (sc.reclaimPolicy && !['Delete', 'Retain'].includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  if (sc.volumeBindingMode && !BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

/** StorageClass behaviour. */
export const storageClasses: KindBehaviour = {
  defaults(obj) {
    const sc = obj as StorageClass;
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },
  validateCreate: validateStorageClass,
  validateUpdate(obj, old) {
    const errs = validateStorageClass(obj);
    for (const f of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'] as const) {
      if (!jsonEqual((obj as StorageClass)[f], (old as StorageClass)[f])) errs.push(forbidden(f, 'updates to ' + f + ' are forbidden.'));
    }
    return errs;
  },
  tableColumns: STORAGE_CLASS_COLUMNS,
  tableRow: storageClassRow,
};
