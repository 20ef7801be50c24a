/**
 * NamespaceLifecycle, as Kubernetes': no new content in a missing or terminating namespace, and
 * the system namespaces cannot be deleted.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin } from './types.js';

/** Namespaces that can never be deleted. */
export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** Reads a namespace object (undefined when absent). */
export type NamespaceGetter = (name: string) => Promise<KObject | undefined>;

/** The NamespaceLifecycle plugin, reading namespaces through `getNamespace`. */
export function namespaceLifecyclePlugin(getNamespace: NamespaceGetter): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    type: 'validating',
    async admit(attrs) {
      const { ref, operation } = attrs;
      if (ref.group === '' && ref.resource === 'namespaces') {
        if (operation === 'DELETE' && IMMORTAL_NAMESPACES.includes(attrs.name)) {
          throw new ApiError('Forbidden', `namespaces "${attrs.name}" is forbidden: this namespace may not be deleted`, { name: attrs.name, kind: 'namespaces' });
        }
        return;
      }
      if (operation !== 'CREATE' || !attrs.def.namespaced || !attrs.namespace) return;
      const ns = await getNamespace(attrs.namespace);
      if (!ns) throw new ApiError('NotFound', `namespaces "${attrs.namespace}" not found`, { name: attrs.namespace, kind: 'namespaces' });
      const terminating = (ns.status as { phase?: string } | undefined)?.phase === 'Terminating' || !!ns.metadata?.deletionTimestamp;
      if (terminating) {
        const what = ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
        throw new ApiError('Forbidden', `${what} "${attrs.name}" is forbidden: unable to create new content in namespace ${attrs.namespace} because it is being terminated`, { name: attrs.name, kind: ref.resource });
      }
    },
  };
}
