/**
 * DefaultStorageClass admission, as Kubernetes': a new PersistentVolumeClaim without
 * storageClassName gets the class annotated storageclass.kubernetes.io/is-default-class=true.
 * With several defaults the newest wins (ties: the first name), as since Kubernetes 1.26; an
 * explicit "" (no class) is kept.
 */
import type { KObject } from '../../lib/api/object.js';
import type { AdmissionPlugin, AdmissionStore } from './types.js';

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

/** The default class among `classes`, or undefined. */
export function defaultStorageClass(classes: KObject[]): string | undefined {
  const defaults = classes.filter((c) => DEFAULT_ANNOTATIONS.some((k) => c.metadata?.annotations?.[k] === 'true'));
  const time = (c: KObject) => Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
  defaults.sort((x, y) => time(y) - time(x) || (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
  return defaults[0]?.metadata?.name;
}

/** The plugin. */
export function defaultStorageClassPlugin(store: Pick<AdmissionStore, 'list'>): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    type: 'mutating',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.ref.group !== '' || a.ref.resource !== 'persistentvolumeclaims' || !a.object) return;
      const spec = (a.object.spec ??= {}) as { storageClassName?: string | null };
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      const name = defaultStorageClass(await store.list('storageclasses', ''));
      if (name) spec.storageClassName = name;
    },
  };
}
