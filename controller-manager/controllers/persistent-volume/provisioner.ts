/**
 * kubesim's two in-tree dynamic provisioners and their StorageClasses:
 * - `local-path` (default class, provisioner kubesim.io/local-path, WaitForFirstConsumer): a
 *   hostPath directory `<pv-root>/<pv-name>` on the node the consuming pod was scheduled to,
 *   with node affinity pinning later pods to that node;
 * - `shared-path` (kubesim.io/shared-path, Immediate, ReadWriteMany-capable): a directory under
 *   `<pv-root>/shared/` that every node reaches (nodes share the host's filesystem in local mode).
 * Directories are made here when this process can reach the path; the kubelet's hostPath
 * DirectoryOrCreate makes them otherwise.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import { isApiError } from '../../../lib/errors.js';
import { ANN_DEFAULT_CLASS, ANN_PROVISIONED_BY } from './matching.js';

export const LOCAL_PATH_PROVISIONER = 'kubesim.io/local-path';
export const SHARED_PATH_PROVISIONER = 'kubesim.io/shared-path';
const PROVISIONERS = [LOCAL_PATH_PROVISIONER, SHARED_PATH_PROVISIONER];

/** The StorageClasses kubesim ships. */
export const BUILTIN_CLASSES: StorageClass[] = [
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path', annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' },
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'shared-path' },
    provisioner: SHARED_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' },
];

/** Creates the built-in StorageClasses that do not exist yet (idempotent; a user's edit wins). */
export async function ensureStorageClasses(client: ApiClient): Promise<void> {
  for (const sc of BUILTIN_CLASSES) {
    await client.create({ group: 'storage.k8s.io', resource: 'storageclasses' }, structuredClone(sc)).catch((err) => {
      if (!isApiError(err, 'AlreadyExists')) throw err;
    });
  }
}

/** True when this controller provisions for the class. */
export function canProvision(sc: StorageClass | undefined): boolean {
  return !!sc && PROVISIONERS.includes(sc.provisioner ?? '');
}

/** The name Kubernetes gives a provisioned volume. */
export function provisionedName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata!.uid}`;
}

/** The PersistentVolume provisioned for a claim (pre-bound to it); `node` for local-path. */
export function volumeFor(claim: PersistentVolumeClaim, sc: StorageClass, pvRoot: string, node?: string): PersistentVolume {
  const name = provisionedName(claim);
  const local = sc.provisioner === LOCAL_PATH_PROVISIONER;
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [ANN_PROVISIONED_BY]: sc.provisioner! } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata!.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata!.namespace, name: claim.metadata!.name, uid: claim.metadata!.uid },
      hostPath: { path: volumePath(pvRoot, sc.provisioner!, name), type: 'DirectoryOrCreate' },
      ...(local && node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
    },
  } as PersistentVolume;
}

function volumePath(pvRoot: string, provisioner: string, name: string): string {
  return provisioner === SHARED_PATH_PROVISIONER ? join(pvRoot, 'shared', name) : join(pvRoot, name);
}

/** Makes the volume's directory. */
export async function createVolumeDir(pv: PersistentVolume): Promise<void> {
  const path = pv.spec?.hostPath?.path;
  if (path) await mkdir(path, { recursive: true, mode: 0o777 });
}

/** Removes a provisioned volume's directory (only below pvRoot: never a user's hostPath). */
export async function deleteVolumeDir(pv: PersistentVolume, pvRoot: string): Promise<void> {
  const path = pv.spec?.hostPath?.path;
  if (!path || !PROVISIONERS.includes(pv.metadata?.annotations?.[ANN_PROVISIONED_BY] ?? '')) return;
  const root = resolve(pvRoot);
  const abs = resolve(path);
  if (!abs.startsWith(root + '/') || !abs.endsWith('/' + pv.metadata!.name)) return;
  await rm(abs, { recursive: true, force: true });
}
