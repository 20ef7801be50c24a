/**
 * The pod table as kubectl shows it (Kubernetes printers.go printPod): READY, the computed
 * STATUS (Init:0/1, ContainerCreating, CrashLoopBackOff, Completed, Terminating, ...),
 * RESTARTS with "(5m ago)", and the wide columns IP, NODE, NOMINATED NODE, READINESS GATES.
 */
import type { TableColumn } from '../../registry/types.js';
import type { KObject } from '../../../lib/api/object.js';
import type { Pod, ContainerStatus, Container } from '../../../lib/api/types.js';
import { AGE_COLUMN, NAME_COLUMN, column } from './columns.js';
import { since } from './duration.js';

/** Pod table columns (priority 1 = `-o wide`). */
export const POD_COLUMNS: TableColumn[] = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  AGE_COLUMN,
  column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
  column('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
  column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node.', 1),
  column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
];

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

/** Tracks the newest container termination time (for "(5m ago)"). */
class LastRestart {
  at = 0;
  note(cs: ContainerStatus): void {
    const t = Date.parse(cs.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && t > this.at) this.at = t;
  }
}

function terminatedReason(prefix: string, t: { reason?: string; signal?: number; exitCode?: number }): string {
  if (t.reason) return `${prefix}${t.reason}`;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

interface Summary { ready: number; total: number; reason: string; restarts: number; lastRestart: number }

/** The READY/STATUS/RESTARTS computation of printPod. */
export function summarizePod(pod: Pod): Summary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  let total = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isRestartable).length;
  let ready = 0;
  let reason = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let restarts = 0;
  let sidecarRestarts = 0;
  const last = new LastRestart();
  const sidecarLast = new LastRestart();
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const sidecar = isRestartable(initSpecs.get(cs.name));
    restarts += cs.restartCount ?? 0;
    last.note(cs);
    if (sidecar) { sidecarRestarts += cs.restartCount ?? 0; sidecarLast.note(cs); }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started) { if (cs.ready) ready++; continue; }
    initializing = true;
    if (term) reason = terminatedReason('Init:', term);
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    break;
  }

  const initializedTrue = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    last.at = sidecarLast.at;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards as kubectl does, so the first container's state wins the STATUS column.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      last.note(cs);
      const { waiting, terminated, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminatedReason('', terminated);
      else if (cs.ready && running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && !TERMINAL_PHASES.has(status.phase ?? '')) reason = 'Terminating';
  total = Math.max(total, 0);
  return { ready, total, reason, restarts, lastRestart: last.at };
}

/** One pod row: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES. */
export function podRow(obj: KObject, now: Date): unknown[] {
  const pod = obj as Pod;
  const s = summarizePod(pod);
  const restarts = s.restarts !== 0 && s.lastRestart > 0 ? `${s.restarts} (${since(new Date(s.lastRestart).toISOString(), now)} ago)` : String(s.restarts);
  const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  const gates = pod.spec?.readinessGates ?? [];
  let readinessGates = '<none>';
  if (gates.length) {
    const conds = pod.status?.conditions ?? [];
    const ok = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length;
    readinessGates = `${ok}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '', `${s.ready}/${s.total}`, s.reason, restarts, since(pod.metadata?.creationTimestamp, now),
    ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates,
  ];
}
