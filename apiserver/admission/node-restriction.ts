/**
 * NodeRestriction: a kubelet may change only its own Node and the status of pods bound to it,
 * even where its authorizer allows the verb (the authorizer does not see the stored object).
 */
import { ApiError } from '../../lib/errors.js';
import type { AdmissionPlugin } from './types.js';
import { nodeNameOf } from '../auth/node-authz.js';

/** The plugin. */
export function nodeRestrictionPlugin(): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    type: 'validating',
    admit(a) {
      const node = nodeNameOf(a.ctx.user);
      if (!node || a.ref.group !== '') return;
      const who = `node "${node}"`;
      if (a.ref.resource === 'nodes' && a.name !== node) {
        throw new ApiError('Forbidden', `nodes "${a.name}" is forbidden: ${who} is not allowed to modify node "${a.name}"`, { name: a.name, kind: 'nodes' });
      }
      if (a.ref.resource === 'pods' && a.operation !== 'CREATE') {
        const bound = (a.oldObject?.spec as { nodeName?: string } | undefined)?.nodeName;
        if (bound !== node) throw new ApiError('Forbidden', `pods "${a.name}" is forbidden: ${who} can only update pods bound to it`, { name: a.name, kind: 'pods' });
      }
    },
  };
}
