/**
 * syncPod for one pod (Kubernetes' kuberuntime SyncPod, reduced): makes the runtime match the
 * spec — sandbox, volumes, init containers in order, then the app containers, restarting
 * exited ones by restartPolicy with CrashLoopBackOff delays — and writes the PodStatus back.
 * A pod being deleted is killed (SIGTERM, grace period, SIGKILL), its sandbox, volumes and
 * logs removed, and its API object finally deleted.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { isApiError } from '../lib/errors.js';
import type { CriClient } from './runtime/cri-client.js';
import type { Logger } from './runtime/log.js';
import { containerEnv, type EnvSources } from './container-env.js';
import { podDnsConfig, type ClusterDns } from './dns-config.js';
import { containerConfig, containerFieldPath, containerFieldPath as fieldPath, ephemeralContainers, LABEL_CONTAINER_NAME, LABEL_POD_UID, podLogDir, sandboxConfig, type CriMount, type EphemeralContainer } from './pod-config.js';
import { buildPodStatus, type ContainerView, type ObservedContainer } from './pod-status.js';
import { setupPodVolumes, type VolumeSources } from './pod-volumes.js';
import { teardownPodVolumes } from './volumes/volumes.js';
import { BackoffTable } from './backoff-table.js';
import type { EventRecorder } from '../lib/client/event-recorder.js';
import { runHook } from './lifecycle.js';

/** What the worker needs from the kubelet. */
export interface WorkerDeps {
  cri: CriClient;
  client: ApiClient;
  nodeName: string;
  nodeIP: string;
  podsDir: string;
  logRoot: string;
  cluster: ClusterDns;
  sources: Omit<EnvSources, 'podIP' | 'hostIP' | 'services'> & VolumeSources & { services(namespace: string): EnvSources['services'] };
  /** Readiness probe verdict for a running container that has a readiness probe. */
  isReady(containerId: string): boolean;
  events: EventRecorder;
  log: Logger;
}

interface CriContainer { id: string; labels: Record<string, string>; created_at: number; state: number; metadata?: { attempt?: number } }

/** The container's status as last written to the API. */
function apiStatus(pod: Pod, name: string, isInit: boolean) {
  return (isInit ? pod.status?.initContainerStatuses : pod.status?.containerStatuses)?.find((s) => s.name === name);
}

/** restartCount the API shows for a container (kept across sandbox recreation). */
function previousRestarts(pod: Pod, name: string, isInit: boolean): number {
  return apiStatus(pod, name, isInit)?.restartCount ?? 0;
}

/** True when the API shows the container started at least once (running or terminated, now or before). */
function ranBefore(pod: Pod, name: string, isInit: boolean): boolean {
  const s = apiStatus(pod, name, isInit);
  return !!(s?.state?.running || s?.state?.terminated || s?.lastState?.terminated);
}

const SANDBOX_READY = 0;
const CREATED = 0;
const RUNNING = 1;
const EXITED = 2;

/** Syncs pods against the runtime. */
export class PodWorker {
  private readonly crashBackoff = new BackoffTable(10_000, 300_000);
  private readonly pullBackoff = new BackoffTable(5_000, 300_000);
  /** The state each container had when a sync last looked at it (the relist skips pods it has nothing new for). */
  private readonly seenStates = new Map<string, number>();

  constructor(private readonly d: WorkerDeps) {}

  /** The container's state as the last sync saw it. */
  seenState(containerId: string): number | undefined { return this.seenStates.get(containerId); }

  /** Forgets containers the runtime no longer lists. */
  retainSeen(ids: Set<string>): void { for (const id of this.seenStates.keys()) if (!ids.has(id)) this.seenStates.delete(id); }

  /** Brings one pod to its desired state; returns a delay after which it wants another sync. */
  async sync(pod: Pod): Promise<number | undefined> {
    if (pod.metadata?.deletionTimestamp) {
      await this.kill(pod.metadata.uid!, pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30, pod);
      this.cleanupPodFiles(pod);
      await this.d.client.delete({ resource: 'pods', namespace: pod.metadata.namespace!, name: pod.metadata.name! }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
        .catch((err) => { if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err; });
      return undefined;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const ctx = new SyncContext(pod);
    const sb = await this.ensureSandbox(pod, ctx);
    if (sb) {
      // A sandbox made by this sync has no containers yet: no need to ask.
      const byName = sb.created ? new Map<string, CriContainer[]>() : await this.containersByName(sb.id);
      const initDone = await this.syncInitContainers(pod, sb, byName, ctx);
      for (const c of pod.spec?.containers ?? []) ctx.main.push(await this.syncContainer(pod, c, sb, byName.get(c.name!) ?? [], ctx, initDone));
      // Ephemeral containers (kubectl debug) may start before the pod is initialized, as in Kubernetes.
      for (const c of ephemeralContainers(pod)) ctx.ephemeral.push(await this.syncEphemeral(pod, c, sb, byName.get(c.name!) ?? [], ctx));
    } else {
      for (const c of pod.spec?.containers ?? []) ctx.main.push({ name: c.name!, image: c.image ?? '', restartCount: 0, ready: false, waiting: ctx.blocked ?? { reason: 'ContainerCreating' } });
      for (const c of ephemeralContainers(pod)) ctx.ephemeral.push(this.ephemeralFromApi(pod, c) ?? { name: c.name!, image: c.image ?? '', restartCount: 0, ready: false, waiting: ctx.blocked ?? { reason: 'ContainerCreating' } });
    }
    const status = buildPodStatus(pod, { init: ctx.init, main: ctx.main, ephemeral: ctx.ephemeral, podIP: sb?.ip ?? '', hostIP: this.d.nodeIP, nowMs: Date.now() });
    await this.writeStatus(pod, status);
    if ((status.phase === 'Succeeded' || status.phase === 'Failed') && sb) await this.d.cri.call('StopPodSandbox', { pod_sandbox_id: sb.id });
    return ctx.requeueMs;
  }

  private async ensureSandbox(pod: Pod, ctx: SyncContext): Promise<{ id: string; ip: string; created: boolean } | undefined> {
    const uid = pod.metadata!.uid!;
    const sandboxes = (await this.d.cri.call('ListPodSandbox', { filter: { label_selector: { [LABEL_POD_UID]: uid } } })).items as Array<{ id: string; state: number }>;
    const podDir = join(this.d.podsDir, uid);
    try {
      ctx.volumes = await setupPodVolumes(pod, podDir, this.d.sources);
    } catch (err) {
      ctx.block('ContainerCreating', `MountVolume.SetUp failed: ${(err as Error).message}`);
      this.d.events.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${(err as Error).message}`);
      ctx.after(2000);
      return undefined;
    }
    let ready = sandboxes.find((s) => s.state === SANDBOX_READY);
    const created = !ready;
    if (!ready) {
      // A dead sandbox takes its containers with it: Kubernetes recreates both.
      for (const old of sandboxes) await this.d.cri.call('RemovePodSandbox', { pod_sandbox_id: old.id });
      // The images of the containers this sync will start are fetched while the sandbox is made
      // (the Pulling/Pulled events still follow the sandbox, as they do in Kubernetes).
      const first = pod.spec?.initContainers?.length ? [pod.spec.initContainers[0]] : pod.spec?.containers ?? [];
      for (const c of first) {
        if (!c.image || ctx.pulls.has(c.image) || this.pullBackoff.remaining(`${uid}/${c.name}/pull`, this.pullBackoff.lastAt(`${uid}/${c.name}/pull`)) > 0) continue;
        const pull = this.d.cri.image('PullImage', { image: { image: c.image } });
        pull.catch(() => undefined); // awaited (and its error reported) when the container starts
        ctx.pulls.set(c.image, pull);
      }
      const dns = podDnsConfig({ namespace: pod.metadata!.namespace!, dnsPolicy: pod.spec?.dnsPolicy, hostNetwork: pod.spec?.hostNetwork, dnsConfig: pod.spec?.dnsConfig as never }, this.d.cluster);
      try {
        const { pod_sandbox_id } = await this.d.cri.call('RunPodSandbox', { config: sandboxConfig(pod, sandboxes.length, dns, this.d.logRoot, this.d.cluster.clusterDomain) });
        ready = { id: pod_sandbox_id, state: SANDBOX_READY };
      } catch (err) {
        this.d.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
        ctx.block('ContainerCreating', (err as Error).message);
        ctx.after(3000);
        return undefined;
      }
    }
    const st = (await this.d.cri.call('PodSandboxStatus', { pod_sandbox_id: ready.id })).status;
    return { id: ready.id, ip: pod.spec?.hostNetwork ? this.d.nodeIP : st.network?.ip ?? '', created };
  }

  private async containersByName(sandboxId: string): Promise<Map<string, CriContainer[]>> {
    const list = (await this.d.cri.call('ListContainers', { filter: { pod_sandbox_id: sandboxId } })).containers as CriContainer[];
    const m = new Map<string, CriContainer[]>();
    for (const c of list.sort((a, b) => b.created_at - a.created_at)) {
      const n = c.labels[LABEL_CONTAINER_NAME];
      m.set(n, [...(m.get(n) ?? []), c]);
    }
    return m;
  }

  private async observe(c: CriContainer | undefined): Promise<ObservedContainer | undefined> {
    if (!c) return undefined;
    const s = (await this.d.cri.call('ContainerStatus', { container_id: c.id })).status;
    this.seenStates.set(s.id, s.state);
    return { id: s.id, state: s.state, startedAt: s.started_at, finishedAt: s.finished_at, exitCode: s.exit_code, reason: s.reason, message: s.message, imageRef: s.image_ref };
  }

  private async syncInitContainers(pod: Pod, sb: { id: string; ip: string }, byName: Map<string, CriContainer[]>, ctx: SyncContext): Promise<boolean> {
    let done = true;
    for (const c of pod.spec?.initContainers ?? []) {
      if (!done) { ctx.init.push({ name: c.name!, image: c.image ?? '', restartCount: 0, ready: false, waiting: { reason: 'PodInitializing' } }); continue; }
      const view = await this.syncContainer(pod, c, sb, byName.get(c.name!) ?? [], ctx, true, true);
      ctx.init.push(view);
      if (!(view.latest?.state === EXITED && view.latest.exitCode === 0)) done = false;
    }
    return done;
  }

  /** One container: start it, leave it, or restart it after its back-off. */
  private async syncContainer(pod: Pod, c: Container, sb: { id: string; ip: string }, history: CriContainer[], ctx: SyncContext, canStart: boolean, isInit = false): Promise<ContainerView> {
    const name = c.name!;
    const key = `${pod.metadata!.uid}/${name}`;
    const latest = await this.observe(history[0]);
    // restartCount is the attempt of the newest instance (CRI metadata.attempt, as the real kubelet):
    // older instances are removed, and a recreated sandbox starts with none.
    const restarts = history[0] ? history[0].metadata?.attempt ?? history.length - 1 : previousRestarts(pod, name, isInit);
    const view: ContainerView = { name, image: c.image ?? '', latest, previous: await this.observe(history[1]), restartCount: restarts, ready: false };
    if (latest?.state === RUNNING) { view.ready = !isInit && (!c.readinessProbe || this.d.isReady(latest.id)); return view; }
    if (!canStart) { view.waiting = { reason: 'PodInitializing' }; return view; }
    if (latest?.state === EXITED) {
      const policy = pod.spec?.restartPolicy ?? 'Always';
      const restart = policy === 'Always' && !isInit ? true : policy !== 'Never' && latest.exitCode !== 0;
      if (!restart) return view;
      const wait = this.crashBackoff.remaining(key, latest.finishedAt / 1e6);
      if (wait > 0) {
        view.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(this.crashBackoff.delay(key) / 1000)}s restarting failed container=${name} pod=${pod.metadata!.name}_${pod.metadata!.namespace}(${pod.metadata!.uid})` };
        if (wait > 500) this.d.events.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', containerFieldPath(name));
        ctx.after(wait);
        return view;
      }
      this.crashBackoff.next(key);
    }
    // The next attempt: after the newest instance, or after what the pod status last showed
    // (a new sandbox; the API keeps the count) when that container had run at all.
    const attempt = history[0] ? restarts + 1 : restarts + (ranBefore(pod, name, isInit) ? 1 : 0);
    const started = await this.startContainer(pod, c, sb, attempt, ctx);
    if (started) {
      view.previous = latest;
      view.latest = await this.observe({ id: started, labels: {}, created_at: 0, state: 0 });
      view.restartCount = attempt;
      ctx.after(1000);
      // Keep the newest exited instance for lastState and logs --previous; older ones go.
      for (const old of history.slice(1)) await this.d.cri.call('RemoveContainer', { container_id: old.id }).catch(() => undefined);
    } else {
      view.waiting = ctx.lastWaiting;
    }
    return view;
  }

  /**
   * One ephemeral container (Kubernetes' EphemeralContainersToStart): started once in the pod's
   * sandbox — in its target container's PID namespace when it names one — and never restarted,
   * probed or hooked; once it ran, its status only follows what the runtime reports.
   */
  private async syncEphemeral(pod: Pod, c: EphemeralContainer, sb: { id: string; ip: string }, history: CriContainer[], ctx: SyncContext): Promise<ContainerView> {
    const name = c.name!;
    const view: ContainerView = { name, image: c.image ?? '', latest: await this.observe(history[0]), restartCount: 0, ready: false };
    if (history[0]) return view;
    // It ran in a sandbox that is gone: it is not started again (its status stays as the API shows it).
    const before = this.ephemeralFromApi(pod, c);
    if (before) return before;
    let targetId: string | undefined;
    if (c.targetContainerName) {
      const target = [...ctx.main, ...ctx.init].find((v) => v.name === c.targetContainerName)?.latest;
      if (target?.state !== RUNNING) {
        view.waiting = { reason: 'ContainerCreating', message: `target container "${c.targetContainerName}" is not running` };
        ctx.after(1000);
        return view;
      }
      targetId = target.id;
    }
    const started = await this.startContainer(pod, c, sb, 0, ctx, { list: 'ephemeralContainers', targetId });
    if (started) {
      view.latest = await this.observe({ id: started, labels: {}, created_at: 0, state: 0 });
      ctx.after(1000);
    } else {
      view.waiting = ctx.lastWaiting;
    }
    return view;
  }

  /** An ephemeral container that ran before (terminated in the API status), as a view that keeps that status. */
  private ephemeralFromApi(pod: Pod, c: EphemeralContainer): ContainerView | undefined {
    const s = pod.status?.ephemeralContainerStatuses?.find((x) => x.name === c.name);
    const t = s?.state?.terminated ?? (s?.state?.running ? { exitCode: 255, reason: 'Error', message: 'the pod sandbox was recreated', startedAt: s.state.running.startedAt, finishedAt: new Date().toISOString() } : undefined);
    if (!t) return undefined;
    const ns = (time: unknown) => (time ? Date.parse(String(time)) * 1e6 : 0);
    const latest: ObservedContainer = {
      id: (s?.containerID ?? '').replace(/^\w+:\/\//, ''), state: EXITED, startedAt: ns(t.startedAt), finishedAt: ns(t.finishedAt),
      exitCode: t.exitCode ?? 0, reason: t.reason ?? '', message: t.message ?? '', imageRef: s?.imageID ?? '',
    };
    return { name: c.name!, image: c.image ?? '', latest, restartCount: 0, ready: false };
  }

  private async startContainer(pod: Pod, c: Container, sb: { id: string; ip: string }, attempt: number, ctx: SyncContext, eph?: { list: 'ephemeralContainers'; targetId?: string }): Promise<string | undefined> {
    const name = c.name!;
    const containerFieldPath = (n: string | undefined) => fieldPath(n, eph?.list);
    const pullKey = `${pod.metadata!.uid}/${name}/pull`;
    const pullWait = this.pullBackoff.remaining(pullKey, this.pullBackoff.lastAt(pullKey));
    if (pullWait > 0) { ctx.lastWaiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` }; ctx.after(pullWait); return undefined; }
    try {
      const t0 = Date.now();
      this.d.events.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, containerFieldPath(name));
      await (ctx.pulls.get(c.image ?? '') ?? this.d.cri.image('PullImage', { image: { image: c.image } }));
      ctx.pulls.delete(c.image ?? '');
      this.d.events.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}" in ${Date.now() - t0}ms`, containerFieldPath(name));
      this.pullBackoff.reset(pullKey);
    } catch (err) {
      this.pullBackoff.next(pullKey);
      this.d.events.event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${(err as Error).message}`, containerFieldPath(name));
      ctx.lastWaiting = { reason: 'ErrImagePull', message: (err as Error).message };
      ctx.after(this.pullBackoff.delay(pullKey));
      return undefined;
    }
    let config: Record<string, unknown>;
    try {
      const ns = pod.metadata!.namespace!;
      const env = containerEnv(pod, c, { ...this.d.sources, services: this.d.sources.services(ns), podIP: sb.ip, hostIP: this.d.nodeIP });
      config = containerConfig(pod, c, attempt, env, this.mounts(c, ctx.volumes), eph?.targetId);
    } catch (err) {
      this.d.events.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, containerFieldPath(name));
      ctx.lastWaiting = { reason: 'CreateContainerConfigError', message: (err as Error).message };
      ctx.after(2000);
      return undefined;
    }
    try {
      const { container_id } = await this.d.cri.call('CreateContainer', { pod_sandbox_id: sb.id, config });
      this.seenStates.set(container_id, CREATED); // a relist seeing it before it runs needs no other sync
      this.d.events.event(pod, 'Normal', 'Created', `Created container ${name}`, containerFieldPath(name));
      await this.d.cri.call('StartContainer', { container_id });
      this.d.events.event(pod, 'Normal', 'Started', `Started container ${name}`, containerFieldPath(name));
      const postStart = eph ? undefined : c.lifecycle?.postStart;
      if (postStart && await runHook(this.d.cri, postStart, c, container_id, sb.ip, 30) === 'failure') {
        // As Kubernetes: a failed postStart hook kills the container; restartPolicy decides what follows.
        this.d.events.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed`, containerFieldPath(name));
        await this.d.cri.call('StopContainer', { container_id, timeout: 0 });
      }
      return container_id as string;
    } catch (err) {
      this.d.events.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, containerFieldPath(name));
      ctx.lastWaiting = { reason: 'CreateContainerError', message: (err as Error).message };
      ctx.after(3000);
      return undefined;
    }
  }

  private mounts(c: Container, volumes: Map<string, string>): CriMount[] {
    return (c.volumeMounts ?? []).map((m) => {
      const host = volumes.get(m.name ?? '');
      if (!host) throw new Error(`volumeMount "${m.name}" names no volume of the pod`);
      return { container_path: m.mountPath ?? '', host_path: m.subPath ? join(host, m.subPath) : host, readonly: !!m.readOnly };
    });
  }

  private async writeStatus(pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
    const next = structuredClone(pod);
    next.status = status;
    await this.d.client.updateStatus({ resource: 'pods', namespace: pod.metadata!.namespace! }, next)
      .catch((err) => { if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err; });
  }

  /** Stops every container of the pod (grace period, then SIGKILL) and removes its sandboxes. */
  async kill(uid: string, graceSeconds: number, pod?: Pod): Promise<void> {
    const sandboxes = (await this.d.cri.call('ListPodSandbox', { filter: { label_selector: { [LABEL_POD_UID]: uid } } })).items as Array<{ id: string }>;
    for (const sb of sandboxes) {
      const list = (await this.d.cri.call('ListContainers', { filter: { pod_sandbox_id: sb.id } })).containers as CriContainer[];
      await Promise.all(list.filter((c) => c.state === RUNNING).map((c) => this.stopWithHook(pod, c, graceSeconds)));
      await this.d.cri.call('StopPodSandbox', { pod_sandbox_id: sb.id });
      await this.d.cri.call('RemovePodSandbox', { pod_sandbox_id: sb.id });
    }
    this.crashBackoff.dropPrefix(`${uid}/`);
    this.pullBackoff.dropPrefix(`${uid}/`);
  }

  /** preStop hook (within the grace period), then SIGTERM and SIGKILL after what is left of it. */
  private async stopWithHook(pod: Pod | undefined, c: CriContainer, graceSeconds: number): Promise<void> {
    const start = Date.now();
    const spec = pod?.spec?.containers?.find((x) => x.name === c.labels[LABEL_CONTAINER_NAME]);
    const eph = pod && !spec ? ephemeralContainers(pod).find((x) => x.name === c.labels[LABEL_CONTAINER_NAME]) : undefined;
    if (pod && eph) this.d.events.event(pod, 'Normal', 'Killing', `Stopping container ${eph.name}`, containerFieldPath(eph.name, 'ephemeralContainers'));
    if (pod && spec?.lifecycle?.preStop && graceSeconds > 0) {
      if (await runHook(this.d.cri, spec.lifecycle.preStop, spec, c.id, pod.status?.podIP ?? '', graceSeconds) === 'failure') {
        this.d.events.event(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', containerFieldPath(spec.name));
      }
    }
    const left = Math.max(0, graceSeconds - Math.floor((Date.now() - start) / 1000));
    if (pod && spec) this.d.events.event(pod, 'Normal', 'Killing', `Stopping container ${spec.name}`, containerFieldPath(spec.name));
    await this.d.cri.call('StopContainer', { container_id: c.id, timeout: left }, (left + 30) * 1000);
  }

  /** Removes the pod's volume folders and logs (after kill). */
  cleanupPodFiles(pod: Pod): void {
    void teardownPodVolumes(join(this.d.podsDir, pod.metadata!.uid!)).catch((err) => this.d.log.warn('volume teardown failed', { pod: pod.metadata!.name, err: (err as Error).message }));
    rmSync(podLogDir(this.d.logRoot, pod), { recursive: true, force: true });
  }
}

/** Per-sync scratch state: statuses collected, volumes, why things wait, when to come back. */
class SyncContext {
  init: ContainerView[] = [];
  main: ContainerView[] = [];
  ephemeral: ContainerView[] = [];
  volumes = new Map<string, string>();
  /** Image pulls started early (while the sandbox is made), by image. */
  pulls = new Map<string, Promise<unknown>>();
  blocked?: { reason: string; message?: string };
  lastWaiting?: { reason: string; message?: string };
  requeueMs?: number;
  constructor(readonly pod: Pod) {}
  block(reason: string, message?: string): void { this.blocked = { reason, message }; }
  after(ms: number): void { this.requeueMs = this.requeueMs === undefined ? ms : Math.min(this.requeueMs, ms); }
}
