/** NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods tolerating `node.kubernetes.io/unschedulable:NoSchedule`. */
import type { FilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SUCCESS, unresolvable, type Status } from '../framework/status.js';
import type { Pod } from '../framework/types.js';
import { tolerates } from './helpers/tolerations.js';

/** Registered plugin name. */
export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
/** Kubernetes' reason string. */
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const CORDON_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Filter rejecting cordoned nodes. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;
  filter(_s: unknown, pod: Pod, node: NodeInfo): Status {
    if (!node.node.spec?.unschedulable) return SUCCESS;
    if ((pod.spec.tolerations ?? []).some((t) => tolerates(t, CORDON_TAINT))) return SUCCESS;
    return unresolvable(this.name, ERR_REASON_UNSCHEDULABLE);
  }
}
