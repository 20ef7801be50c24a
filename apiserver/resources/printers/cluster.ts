/**
 * Tables of cluster-level kinds as kubectl shows them (printers.go printNode, printNamespace,
 * printEvent, printLease, printControllerRevision, printComponentStatus).
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Node, Namespace, Event, Lease, ControllerRevision } from '../../../lib/api/types.js';
import { AGE_COLUMN, NAME_COLUMN, column, ageOf, nameOf } from './columns.js';
import { since } from './duration.js';

/** Node columns. */
export const NODE_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Status', 'string', 'The status of the node'),
  column('Roles', 'string', 'The roles of the node'),
  AGE_COLUMN,
  column('Version', 'string', 'Kubelet Version reported by the node.'),
  column('Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
  column('External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
  column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
  column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
  column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
];

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** The node's roles from its labels (findNodeRoles). */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** The STATUS cell: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address || '<none>';
}

/** One node row. */
export function nodeRow(obj: KObject, now: Date): unknown[] {
  const node = obj as Node;
  const info = node.status?.nodeInfo ?? {};
  const roles = nodeRoles(node).join(',') || '<none>';
  return [nameOf(obj), nodeStatus(node), roles, ageOf(obj, now), info.kubeletVersion ?? '',
    address(node, 'InternalIP'), address(node, 'ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
}

/** Namespace columns. */
export const NAMESPACE_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN];

/** One namespace row. */
export function namespaceRow(obj: KObject, now: Date): unknown[] {
  return [nameOf(obj), (obj as Namespace).status?.phase ?? '', ageOf(obj, now)];
}

/** Event columns; the server always sends the wide cells, kubectl hides priority-1 ones. */
export const EVENT_COLUMNS: TableColumn[] = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 1),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  column('Count', 'string', 'The number of times this event has occurred.', 1),
  { ...NAME_COLUMN, priority: 1 },
];

/** One event row (printEvent, wide form). */
export function eventRow(obj: KObject, now: Date): unknown[] {
  const e = obj as Event;
  const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }
  const io = e.involvedObject ?? {};
  const kind = (io.kind ?? '').toLowerCase();
  const target = io.name ? `${kind}/${io.name}` : kind;
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', source, (e.message ?? '').trim(), first, count, nameOf(obj)];
}

/** Lease columns. */
export const LEASE_COLUMNS: TableColumn[] = [NAME_COLUMN, column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN];

/** One lease row. */
export function leaseRow(obj: KObject, now: Date): unknown[] {
  return [nameOf(obj), (obj as Lease).spec?.holderIdentity ?? '', ageOf(obj, now)];
}

/** ControllerRevision columns. */
export const CONTROLLER_REVISION_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Controller', 'string', 'Controller of the object'),
  column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
  AGE_COLUMN,
];

/** One controller revision row: CONTROLLER is `kind.group/name` of the controlling owner. */
export function controllerRevisionRow(obj: KObject, now: Date): unknown[] {
  const owner = (obj.metadata?.ownerReferences ?? []).find((o) => o.controller);
  let controller = '<none>';
  if (owner) {
    const slash = owner.apiVersion.indexOf('/');
    const group = slash > 0 ? owner.apiVersion.slice(0, slash) : '';
    controller = `${owner.kind.toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`;
  }
  return [nameOf(obj), controller, (obj as ControllerRevision).revision ?? 0, ageOf(obj, now)];
}

/** ComponentStatus columns. */
export const COMPONENT_STATUS_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Status', 'string', 'Status of the component conditions'),
  column('Message', 'string', 'Message of the component conditions'),
  column('Error', 'string', 'Error of the component conditions'),
];

/** One component status row. */
export function componentStatusRow(obj: KObject): unknown[] {
  const conds = (obj.conditions ?? []) as { type?: string; status?: string; message?: string; error?: string }[];
  const healthy = conds.find((c) => c.type === 'Healthy');
  const status = !healthy ? 'Unknown' : healthy.status === 'True' ? 'Healthy' : 'Unhealthy';
  return [nameOf(obj), status, healthy?.message ?? '', healthy?.error ?? ''];
}
