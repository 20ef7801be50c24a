/**
 * `kubesim chaos clock-skew <component> --offset 5m`: the component is restarted with its wall
 * clock offset (cli/chaos/clock-skew-preload.ts, loaded through NODE_OPTIONS and recorded in
 * cluster.json so later restarts keep it); `--offset 0` restarts it with the true clock. Only our
 * Node.js components can be skewed: etcd (Go) would need a host-wide clock change.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { readState, writeState } from '../cluster/state.js';
import { isAlive } from '../cluster/supervisor.js';
import { UserError } from '../commands/up.js';
import { loadContext, parseDuration } from './context.js';
import { killComponent, recordsOf, restartComponent } from './process-actions.js';
import { recordEvent } from './events.js';

/** The preload that offsets the clock (dist/cli/chaos/clock-skew-preload.js). */
export const CLOCK_SKEW_PRELOAD = join(import.meta.dirname, 'clock-skew-preload.js');

/** Parses "90s", "-5m", "+1.5s" into signed milliseconds. */
export function parseOffset(v: string): number {
  const m = /^([+-]?)(.+)$/.exec(v.trim());
  const ms = parseDuration(m![2]);
  return m![1] === '-' ? -ms : ms;
}

/** The environment that gives a Node.js process a wall clock offsetMs off (none for 0). */
export function skewEnv(offsetMs: number): Record<string, string> | undefined {
  if (offsetMs === 0) return undefined;
  return { KUBESIM_CLOCK_SKEW_MS: String(offsetMs), NODE_OPTIONS: `--import=${pathToFileURL(CLOCK_SKEW_PRELOAD).href}` };
}

/** Restarts `component` (on `node`) with its wall clock offsetMs off; returns the new pids. */
export async function skewClock(cluster: string, component: string, node: string | undefined, offsetMs: number): Promise<number[]> {
  const ctx = loadContext(cluster);
  const recs = recordsOf(ctx, component, node);
  if (!recs.every((r) => r.args.includes(process.execPath) || r.args[0] === process.execPath)) {
    throw new UserError(`${component} is not one of our Node.js components; its clock cannot be skewed alone (only apiserver, scheduler, controller-manager, kubelet, runtime, flanneld, kube-proxy)`);
  }
  if (recs.some((r) => isAlive(r.pid))) await killComponent(ctx, component, node, 'TERM');
  // Recorded with the process, so a later `chaos restart` or `node start` keeps the skew.
  const state = readState(cluster)!;
  for (const p of state.processes) {
    if (p.component === component && (node === undefined || p.node === node)) p.env = skewEnv(offsetMs);
  }
  writeState(state);
  const started = await restartComponent(loadContext(cluster), component, node);
  const what = offsetMs === 0 ? 'the true clock' : `its clock ${offsetMs > 0 ? 'ahead' : 'behind'} by ${Math.abs(offsetMs) / 1000}s`;
  await recordEvent(loadContext(cluster), node, 'ChaosClockSkew', `kubesim chaos: ${component}${node ? ` on ${node}` : ''} restarted with ${what}`, offsetMs === 0 ? 'Normal' : 'Warning', component === 'apiserver' ? 15_000 : 0);
  return started.map((r) => r.pid);
}
