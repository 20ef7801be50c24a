/**
 * An AdmissionStore `list` over the apiserver's own registry, late-bound (plugins are built
 * before the registry they are part of): reads as system:apiserver, finding a resource's group
 * and version by its plural name.
 */
import type { KObject } from '../../lib/api/object.js';
import type { Registry } from '../registry/types.js';
import type { AdmissionStore } from './types.js';

const SYSTEM = { user: { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] } };

/** `list(resource, namespace)` through `registry()` (empty until it exists). */
export function registryLister(registry: () => Registry | undefined): Pick<AdmissionStore, 'list'> {
  return {
    async list(resource: string, namespace: string): Promise<KObject[]> {
      const reg = registry();
      const def = reg?.resources().find((d) => d.resource === resource);
      if (!reg || !def) return [];
      // resourceVersion=0: from the watch cache (current with this apiserver's own writes), not an etcd round trip per admission.
      return (await reg.list(SYSTEM, { group: def.group, version: def.version, resource }, namespace || undefined, { resourceVersion: '0' })).items;
    },
  };
}
