/** Tables of storage kinds as kubectl shows them (printPersistentVolume, printPersistentVolumeClaim, printStorageClass). */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../lib/api/types.js';
import { canonicalQuantity } from '../../../lib/api/quantity.js';
import { accessModesString } from '../common/pvc.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';

const VOLUME_MODE = column('VolumeMode', 'string', 'Specifies whether a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1);
const VAC = column('VolumeAttributesClass', 'string', 'VolumeAttributesClassName of this volume.');

/** PersistentVolume columns. */
export const PV_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
  column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
  column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
  column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
  column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
  column('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
  VAC,
  column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
  AGE_COLUMN, VOLUME_MODE,
];

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** The class of a volume or claim: the old beta annotation wins over storageClassName, as in Kubernetes. */
function storageClassOf(obj: KObject, className: string | undefined): string {
  return obj.metadata?.annotations?.[BETA_CLASS_ANNOTATION] ?? className ?? '';
}

/** One persistent volume row. */
export function pvRow(obj: KObject, now: Date): unknown[] {
  const pv = obj as PersistentVolume;
  const spec = pv.spec ?? {};
  const claim = spec.claimRef?.name ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name}` : '';
  const storage = spec.capacity?.storage;
  const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
  return [nameOf(obj), storage ? canonicalQuantity(storage) : '0', accessModesString(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim,
    storageClassOf(obj, spec.storageClassName), '<unset>', pv.status?.reason ?? '', ageOf(obj, now), spec.volumeMode ?? '<unset>'];
}

/** PersistentVolumeClaim columns. */
export const PVC_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
  column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
  column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
  column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
  column('StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.'),
  VAC, AGE_COLUMN, VOLUME_MODE,
];

/** One claim row: capacity and access modes show only once bound. */
export function pvcRow(obj: KObject, now: Date): unknown[] {
  const pvc = obj as PersistentVolumeClaim;
  const spec = pvc.spec ?? {};
  const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
  let capacity = '';
  let modes = '';
  if (spec.volumeName) {
    const storage = pvc.status?.capacity?.storage;
    capacity = storage ? canonicalQuantity(storage) : '0';
    modes = accessModesString(pvc.status?.accessModes);
  }
  return [nameOf(obj), phase, spec.volumeName ?? '', capacity, modes, storageClassOf(obj, spec.storageClassName), '<unset>', ageOf(obj, now), spec.volumeMode ?? '<unset>'];
}

/** StorageClass columns. */
export const STORAGE_CLASS_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
  column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
  column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
  column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
  AGE_COLUMN,
];

/** True when the class is marked as the cluster default. */
export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** One storage class row; the default class is shown as `name (default)`. */
export function storageClassRow(obj: KObject, now: Date): unknown[] {
  const sc = obj as StorageClass;
  const name = isDefaultClass(sc) ? `${nameOf(obj)} (default)` : nameOf(obj);
  return [name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', String(sc.allowVolumeExpansion ?? false), ageOf(obj, now)];
}
