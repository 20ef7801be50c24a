/** NodePorts: a pod's hostPorts must be free on the node (same protocol+port, overlapping host IP = conflict). */
import type { FilterPlugin } from '../framework/interfaces.js';
import { podInfoOf, portsConflict, type NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unschedulable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';

/** Registered plugin name. */
export const NODE_PORTS = 'NodePorts';
/** Kubernetes' reason string. */
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

/** Filter on host port conflicts. */
export class NodePorts implements FilterPlugin {
  readonly name = NODE_PORTS;
  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    const wanted = podInfoOf(pod).hostPorts;
    if (wanted.length === 0) return SUCCESS;
    for (const w of wanted) {
      if (node.usedPorts.some((u) => portsConflict(u, w))) return unschedulable(this.name, ERR_REASON_NODE_PORTS);
    }
    return SUCCESS;
  }
}
