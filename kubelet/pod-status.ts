/**
 * PodStatus from what the runtime reports (Kubernetes' generateAPIPodStatus/getPhase): per
 * container waiting/running/terminated with lastState and restartCount, the pod phase,
 * conditions (PodScheduled, Initialized, ContainersReady, Ready) keeping transition times,
 * pod and host IPs, start time.
 */
import type { Condition, ContainerState, ContainerStatus, Pod, PodStatus } from '../lib/api/types.js';

/** A container as the runtime reported it (CRI ContainerStatus, times in ns). */
export interface ObservedContainer {
  id: string;
  state: number; // CRI ContainerState: 0 created, 1 running, 2 exited, 3 unknown
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  imageRef: string;
}

/** What the kubelet knows about one container of the pod. */
export interface ContainerView {
  name: string;
  image: string;
  /** The newest runtime container for this name, if any. */
  latest?: ObservedContainer;
  /** The one before it (for lastState). */
  previous?: ObservedContainer;
  restartCount: number;
  /** A reason the kubelet is holding the container back (ErrImagePull, CrashLoopBackOff, ...). */
  waiting?: { reason: string; message?: string };
  ready: boolean;
}

/** RFC 3339 seconds, as Kubernetes prints times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function terminated(o: ObservedContainer): ContainerState {
  return { terminated: { exitCode: o.exitCode, reason: o.reason || (o.exitCode === 0 ? 'Completed' : 'Error'), message: o.message || undefined, startedAt: rfc3339(o.startedAt / 1e6), finishedAt: rfc3339(o.finishedAt / 1e6), containerID: `kubesim://${o.id}` } };
}

/** The Kubernetes ContainerStatus of one container. */
export function containerStatus(v: ContainerView): ContainerStatus {
  const l = v.latest;
  let state: ContainerState;
  let lastState: ContainerState = v.previous?.state === 2 ? terminated(v.previous) : {};
  if (v.waiting) {
    state = { waiting: { reason: v.waiting.reason, message: v.waiting.message } };
    if (l?.state === 2) lastState = terminated(l);
  } else if (!l || l.state === 0) state = { waiting: { reason: 'ContainerCreating' } };
  else if (l.state === 1) state = { running: { startedAt: rfc3339(l.startedAt / 1e6) } };
  else state = terminated(l);
  return {
    name: v.name, state, lastState, ready: v.ready && l?.state === 1 && !v.waiting, restartCount: v.restartCount, image: v.image,
    imageID: l?.imageRef ?? '', containerID: l ? `kubesim://${l.id}` : undefined, started: l?.state === 1 && !v.waiting,
  };
}

/** Pod phase from container statuses (Kubernetes' getPhase). */
export function podPhase(pod: Pod, init: ContainerStatus[], main: ContainerStatus[]): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  for (const s of init) {
    if (s.state?.terminated?.exitCode === 0) continue;
    if (policy === 'Never' && s.state?.terminated) return 'Failed';
    return 'Pending';
  }
  let running = 0; let waiting = 0; let stopped = 0; let succeeded = 0; let unknown = 0;
  for (const s of main) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(prev: Condition[] | undefined, type: string, ok: boolean, now: string, reason?: string): Condition {
  const status = ok ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  const c: Condition = { type, status, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now };
  if (!ok && reason) c.reason = reason;
  return c;
}

/** The full PodStatus the kubelet writes. */
export function buildPodStatus(pod: Pod, input: { init: ContainerView[]; main: ContainerView[]; ephemeral?: ContainerView[]; podIP: string; hostIP: string; nowMs: number }): PodStatus {
  const prev = pod.status ?? {};
  const now = rfc3339(input.nowMs);
  const initStatuses = input.init.map(containerStatus);
  const mainStatuses = input.main.map(containerStatus);
  const phase = podPhase(pod, initStatuses, mainStatuses);
  const initialized = initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const containersReady = mainStatuses.length > 0 && mainStatuses.every((s) => s.ready);
  const notReady = mainStatuses.filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const conditions = [
    condition(prev.conditions, 'Initialized', initialized, now, 'ContainersNotInitialized'),
    condition(prev.conditions, 'Ready', containersReady, now, terminal ? 'PodCompleted' : 'ContainersNotReady'),
    condition(prev.conditions, 'ContainersReady', containersReady, now, terminal ? 'PodCompleted' : 'ContainersNotReady'),
    condition(prev.conditions, 'PodScheduled', true, now),
  ];
  if (!containersReady && !terminal) {
    conditions[1].message = conditions[2].message = `containers with unready status: [${notReady.join(' ')}]`;
  }
  const status: PodStatus = {
    ...prev, phase, conditions, hostIP: input.hostIP, hostIPs: input.hostIP ? [{ ip: input.hostIP }] : [],
    podIP: input.podIP || undefined, podIPs: input.podIP ? [{ ip: input.podIP }] : [],
    startTime: prev.startTime ?? now, containerStatuses: mainStatuses,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  // Ephemeral containers count for neither the phase nor readiness (as in Kubernetes).
  if (input.ephemeral?.length) status.ephemeralContainerStatuses = input.ephemeral.map(containerStatus);
  if (!input.podIP) { delete status.podIP; status.podIPs = []; }
  return status;
}
