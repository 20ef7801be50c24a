/**
 * Container lifecycle hooks (postStart after the start, preStop before the stop), with the
 * same handler kinds as probes (exec, httpGet, tcpSocket) plus sleep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container, LifecycleHandler } from '../lib/api/types.js';
import type { CriClient } from './runtime/cri-client.js';
import { runProbe, type ProbeResult } from './prober.js';

/** Runs a hook handler against a running container within `timeoutSec`. */
export async function runHook(cri: CriClient, h: LifecycleHandler, c: Container, containerId: string, podIP: string, timeoutSec: number): Promise<ProbeResult> {
  if (h.sleep) {
    await sleep(Math.min(h.sleep.seconds ?? 0, timeoutSec) * 1000);
    return 'success';
  }
  return runProbe(cri, { exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket, timeoutSeconds: Math.max(1, timeoutSec) }, c, containerId, podIP);
}
