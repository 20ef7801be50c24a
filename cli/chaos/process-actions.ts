/**
 * Chaos on processes: kill a component (any signal), start it again from its recorded command
 * line, and stop/start a whole node (its components killed and its underlay link down, as a
 * powered-off machine; pods stay as processes and are adopted again on start).
 */
import { readState, writeState, type ProcessRecord } from '../cluster/state.js';
import { isAlive } from '../cluster/supervisor.js';
import { respawn } from '../cluster/respawn.js';
import { run } from '../../lib/testing/netns.js';
import { waitFor } from '../../lib/testing/wait.js';
import { UserError } from '../commands/up.js';
import { nodeOf, type ChaosContext } from './context.js';
import { recordEvent } from './events.js';

const NODE_COMPONENTS = ['flanneld', 'runtime', 'kubelet', 'kube-proxy'];

/** The records of `component` (on `node` for per-node components); UserError when none match. */
export function recordsOf(ctx: ChaosContext, component: string, node?: string): ProcessRecord[] {
  const known = [...new Set(ctx.state.processes.map((p) => p.component))];
  if (!known.includes(component)) throw new UserError(`no component "${component}"; known: ${known.join(', ')}`);
  if (NODE_COMPONENTS.includes(component) && !node) throw new UserError(`${component} runs on every node: say which with --node <name>`);
  if (node) nodeOf(ctx, node);
  const recs = ctx.state.processes.filter((p) => p.component === component && (node === undefined || p.node === node));
  if (!recs.length) throw new UserError(`no ${component} on ${node}`);
  return recs;
}

/** Sends `signal` to the component's process(es) and waits until they are gone (KILL, TERM) ; returns pids hit. */
export async function killComponent(ctx: ChaosContext, component: string, node: string | undefined, signal = 'KILL'): Promise<number[]> {
  const sig = (signal.startsWith('SIG') ? signal : `SIG${signal}`) as NodeJS.Signals;
  const recs = recordsOf(ctx, component, node).filter((r) => isAlive(r.pid));
  if (!recs.length) throw new UserError(`${component}${node ? ` on ${node}` : ''} is not running`);
  // Told before the signal: once the apiserver or etcd is gone, no Event can be stored.
  await recordEvent(ctx, node, 'ChaosKill', `kubesim chaos: sending ${sig} to ${component}${node ? ` on ${node}` : ''} (pid ${recs.map((r) => r.pid).join(',')})`);
  for (const r of recs) {
    try { process.kill(r.pid, sig); } catch (err) { throw new UserError(`cannot send ${sig} to ${component} (pid ${r.pid}): ${(err as Error).message}`); }
  }
  if (sig === 'SIGKILL' || sig === 'SIGTERM') {
    await waitFor(`${component} to exit`, () => recs.every((r) => !isAlive(r.pid)), { timeoutMs: 15_000, intervalMs: 50 });
  }
  return recs.map((r) => r.pid);
}

/** Starts every dead process of `component` (on `node`) again; writes the new pids to cluster.json. */
export async function restartComponent(ctx: ChaosContext, component: string, node?: string): Promise<ProcessRecord[]> {
  recordsOf(ctx, component, node);
  const started = restartWhere(ctx, (p) => p.component === component && (node === undefined || p.node === node));
  // The store may still be coming back (apiserver, etcd): retry the Event for a little while.
  await recordEvent(ctx, node, 'ChaosRestart', `kubesim chaos: started ${component}${node ? ` on ${node}` : ''} again (pid ${started.map((r) => r.pid).join(',') || 'none: it was running'})`, 'Normal', ['apiserver', 'etcd'].includes(component) ? 15_000 : 0);
  return started;
}

/** Respawns the dead records matching `pick`, re-reading cluster.json so concurrent writers keep their changes. */
function restartWhere(ctx: ChaosContext, pick: (p: ProcessRecord) => boolean): ProcessRecord[] {
  const state = readState(ctx.state.name) ?? ctx.state;
  const started: ProcessRecord[] = [];
  state.processes = state.processes.map((p) => {
    if (!pick(p) || isAlive(p.pid)) return p;
    const fresh = respawn(state.name, p);
    started.push(fresh);
    return fresh;
  });
  writeState(state);
  ctx.state = state;
  return started;
}

/** Powers a node off: its components SIGKILLed, its underlay link down. */
export async function stopNode(ctx: ChaosContext, node: string): Promise<void> {
  const n = nodeOf(ctx, node);
  const recs = ctx.state.processes.filter((p) => p.node === node && isAlive(p.pid));
  for (const r of recs) { try { process.kill(r.pid, 'SIGKILL'); } catch { /* gone */ } }
  await waitFor(`${node} components to exit`, () => recs.every((r) => !isAlive(r.pid)), { timeoutMs: 15_000 });
  await run('ip', ['link', 'set', n.hostVeth, 'down']);
  await recordEvent(ctx, node, 'ChaosNodeStop', `kubesim: node ${node} stopped (components killed, underlay link ${n.hostVeth} down)`);
}

/** Powers a node on again: underlay link up, its components started from their records. */
export async function startNode(ctx: ChaosContext, node: string): Promise<ProcessRecord[]> {
  const n = nodeOf(ctx, node);
  await run('ip', ['link', 'set', n.hostVeth, 'up']);
  // flanneld first, as `up` does: the others read its subnet.env (kept from before the stop).
  const order = ['flanneld', 'runtime', 'kubelet', 'kube-proxy'];
  const started: ProcessRecord[] = [];
  for (const comp of order) started.push(...restartWhere(ctx, (p) => p.node === node && p.component === comp));
  started.push(...restartWhere(ctx, (p) => p.node === node));
  await recordEvent(ctx, node, 'ChaosNodeStart', `kubesim: node ${node} started (${started.map((r) => r.component).join(', ') || 'nothing was down'})`, 'Normal');
  return started;
}
