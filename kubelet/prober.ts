/**
 * Liveness and readiness probes (Kubernetes' prober manager, reduced to one loop): exec via
 * the runtime's ExecSync, httpGet and tcpSocket from the node to the pod IP, honouring
 * initialDelaySeconds, periodSeconds, timeoutSeconds and the success/failure thresholds.
 * A readiness change requeues the pod; a liveness failure restarts the container.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Container, Pod, Probe } from '../lib/api/types.js';
import type { CriClient } from './runtime/cri-client.js';
import type { Logger } from './runtime/log.js';
import type { EventRecorder } from '../lib/client/event-recorder.js';
import { containerFieldPath } from './pod-config.js';

/** One probe outcome. */
export type ProbeResult = 'success' | 'failure';

interface ProbeState { lastRun: number; successes: number; failures: number; ready: boolean; running: boolean }

/** Resolves a named or numeric container port. */
function portOf(c: Container, port: number | string | undefined): number {
  if (typeof port === 'number') return port;
  if (port && /^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort ?? 0;
}

/** Runs one probe against a container; never throws. */
export async function runProbe(cri: CriClient, probe: Probe, c: Container, containerId: string, podIP: string): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec?.command?.length) {
      const r = await cri.call('ExecSync', { container_id: containerId, cmd: probe.exec.command, timeout: probe.timeoutSeconds ?? 1 }, timeoutMs + 5000);
      return r.exit_code === 0 ? 'success' : 'failure';
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const code = await new Promise<number>((resolve) => {
        const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32' };
        for (const h of g.httpHeaders ?? []) if (h.name) headers[h.name] = h.value ?? '';
        const req = request({ host: g.host || podIP, port: portOf(c, g.port as number | string), path: g.path || '/', headers, timeout: timeoutMs }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('timeout', () => { req.destroy(); resolve(0); });
        req.on('error', () => resolve(0));
        req.end();
      });
      return code >= 200 && code < 400 ? 'success' : 'failure';
    }
    if (probe.tcpSocket) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect({ host: probe.tcpSocket!.host || podIP, port: portOf(c, probe.tcpSocket!.port as number | string), timeout: timeoutMs });
        s.on('connect', () => { s.destroy(); resolve(true); });
        s.on('timeout', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(false));
      });
      return ok ? 'success' : 'failure';
    }
  } catch {
    return 'failure';
  }
  return 'success';
}

/** Probe state for running containers, fed by the kubelet's view of its pods. */
export class Prober {
  private readonly readiness = new Map<string, ProbeState>();
  private readonly liveness = new Map<string, ProbeState>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly cri: CriClient, private readonly events: EventRecorder, private readonly log: Logger, private readonly onChange: (pod: Pod) => void) {}

  /** Readiness of a running container that has a readiness probe (false until it succeeds). */
  isReady(containerId: string): boolean { return this.readiness.get(containerId)?.ready ?? false; }

  /** Runs due probes for one running container (called every tick by the kubelet). */
  tick(pod: Pod, c: Container, containerId: string, startedAtMs: number, podIP: string): void {
    const now = Date.now();
    for (const [kind, probe, states] of [['readiness', c.readinessProbe, this.readiness], ['liveness', c.livenessProbe, this.liveness]] as const) {
      if (!probe) continue;
      let st = states.get(containerId);
      if (!st) { st = { lastRun: 0, successes: 0, failures: 0, ready: false, running: false }; states.set(containerId, st); }
      const key = `${kind}/${containerId}`;
      if (this.inFlight.has(key) || now < startedAtMs + (probe.initialDelaySeconds ?? 0) * 1000 || now < st.lastRun + (probe.periodSeconds ?? 10) * 1000) continue;
      st.lastRun = now;
      this.inFlight.add(key);
      const state = st;
      void runProbe(this.cri, probe, c, containerId, podIP).then(async (res) => {
        if (res === 'success') { state.successes++; state.failures = 0; } else { state.failures++; state.successes = 0; }
        if (kind === 'readiness') {
          const was = state.ready;
          if (state.successes >= (probe.successThreshold ?? 1)) state.ready = true;
          if (state.failures >= (probe.failureThreshold ?? 3)) state.ready = false;
          if (res === 'failure') this.events.event(pod, 'Warning', 'Unhealthy', 'Readiness probe failed', containerFieldPath(c.name));
          if (was !== state.ready) this.onChange(pod);
        } else if (res === 'failure') {
          this.events.event(pod, 'Warning', 'Unhealthy', `Liveness probe failed`, containerFieldPath(c.name));
          if (state.failures >= (probe.failureThreshold ?? 3)) {
            this.events.event(pod, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, containerFieldPath(c.name));
            this.log.info('liveness probe failed; restarting', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container: c.name ?? '' });
            this.liveness.delete(containerId);
            await this.cri.call('StopContainer', { container_id: containerId, timeout: pod.spec?.terminationGracePeriodSeconds ?? 30 }, 120_000).catch(() => undefined);
            this.onChange(pod);
          }
        }
      }).finally(() => this.inFlight.delete(key));
    }
  }

  /** Drops state of containers that are no longer running. */
  retain(running: Set<string>): void {
    for (const m of [this.readiness, this.liveness]) for (const id of m.keys()) if (!running.has(id)) m.delete(id);
  }
}
