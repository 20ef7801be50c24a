/** NodeName: a pod that names a node (`spec.nodeName`) fits only that node. */
import type { FilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';

/** Registered plugin name. */
export const NODE_NAME = 'NodeName';
/** Kubernetes' reason string. */
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** Filter on `spec.nodeName`. */
export class NodeName implements FilterPlugin {
  readonly name = NODE_NAME;
  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    if (!pod.spec.nodeName || pod.spec.nodeName === node.name) return SUCCESS;
    return unresolvable(this.name, ERR_REASON_NODE_NAME);
  }
}
