/**
 * Plays the kubelet's part in controller tests where no real node is needed: every pod it sees
 * (optionally only those matching `accept`) is marked Running and Ready after `delayMs`, or
 * Succeeded/Failed when `exitCode` says so; pods being deleted gracefully are finished (grace 0).
 * It writes through the real apiserver (status subresource), like a kubelet.
 */
import type { Pod } from '../api/types.js';
import type { ApiClient } from '../client/api-client.js';
import { SharedInformer } from '../client/informer.js';
import { isApiError } from '../errors.js';

export interface FakeKubeletOptions {
  delayMs?: number;
  /** Only pods for which this returns true are started. */
  accept?(pod: Pod): boolean;
  /** A finished exit code for a pod (undefined = keep running). */
  exitCode?(pod: Pod): number | undefined;
}

function now(): string { return new Date().toISOString().replace(/\.\d+Z$/, 'Z'); }

/** Starts the fake kubelet until signal aborts. */
export function startFakeKubelet(client: ApiClient, signal: AbortSignal, opts: FakeKubeletOptions = {}): SharedInformer<Pod> {
  const pods = new SharedInformer<Pod>(client, { resource: 'pods' });
  const inFlight = new Set<string>();
  let ip = 2;
  const handle = (p: Pod) => {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (inFlight.has(key) || signal.aborted) return;
    if (p.metadata?.deletionTimestamp) {
      inFlight.add(key);
      void client.delete({ resource: 'pods', namespace: p.metadata.namespace!, name: p.metadata.name! }, { gracePeriodSeconds: 0 })
        .catch(() => undefined).finally(() => inFlight.delete(key));
      return;
    }
    if (opts.accept && !opts.accept(p)) return;
    const phase = p.status?.phase;
    if (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed') return;
    inFlight.add(key);
    setTimeout(async () => {
      if (signal.aborted) { inFlight.delete(key); return; }
      try {
        const code = opts.exitCode?.(p);
        const next = structuredClone(p);
        const t = now();
        const n = ip++;
        if (code === undefined) {
          next.status = { ...(p.status ?? {}), phase: 'Running', podIP: `10.244.${(n >> 8) & 255}.${n & 255}`, startTime: t,
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }, { type: 'ContainersReady', status: 'True', lastTransitionTime: t }, { type: 'PodScheduled', status: 'True', lastTransitionTime: t }],
            containerStatuses: (p.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } } })) };
        } else {
          next.status = { ...(p.status ?? {}), phase: code === 0 ? 'Succeeded' : 'Failed', startTime: t,
            conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t, reason: 'PodCompleted' }],
            containerStatuses: (p.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', finishedAt: t } } })) };
        }
        await client.updateStatus({ resource: 'pods', namespace: p.metadata!.namespace! }, next);
      } catch (err) {
        // Once the test has stopped us, the apiserver and its channel may be gone: nothing to report.
        if (!signal.aborted && !isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      } finally {
        inFlight.delete(key);
        const cur = pods.lister.get(p.metadata!.namespace, p.metadata!.name!);
        if (cur) handle(cur);
      }
    }, opts.delayMs ?? 0);
  };
  pods.addEventHandler({ onAdd: handle, onUpdate: (_o, p) => handle(p) });
  void pods.run(signal);
  return pods;
}
