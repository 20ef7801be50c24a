/** The defaulting step: ResourceDef.defaults on every create and update of the main resource. */
import type { AdmissionPlugin } from './types.js';

/** Calls the kind's `defaults` (restartPolicy, dnsPolicy, ...) before validation. */
export function defaultingPlugin(): AdmissionPlugin {
  return {
    name: 'Defaulting',
    type: 'mutating',
    admit(attrs) {
      if ((attrs.operation === 'CREATE' || attrs.operation === 'UPDATE') && attrs.object && !attrs.subresource) attrs.def.defaults?.(attrs.object);
    },
  };
}
