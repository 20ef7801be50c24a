/**
 * An AdmissionStore `list` over the apiserver's own registry, late-bound (plugins are built
 * before the registry they are part of): from the watch caches, current with this process's
 * writes (no etcd round trip per admitted object), as system:apiserver.
 */
import type { KObject } from '../../lib/api/object.js';
import type { RegistryHandle } from '../registry/registry.js';
import type { AdmissionStore } from './types.js';

/** `list(resource, namespace)` through `registry()` (empty until it exists). */
export function registryLister(registry: () => Pick<RegistryHandle, 'cachedList'> | undefined): Pick<AdmissionStore, 'list'> {
  return {
    async list(resource: string, namespace: string): Promise<KObject[]> {
      const reg = registry();
      return reg ? reg.cachedList(resource, namespace) : [];
    },
  };
}
