/**
 * Starts cluster processes detached from the CLI (they outlive `kubesim up`), each with its log
 * file and a KUBESIM_CLUSTER marker in its environment, and stops them again: SIGTERM, then
 * SIGKILL after a grace period. Processes are found by pid record and by the marker, so `down`
 * also cleans up after a crashed `up` whose records are incomplete.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessRecord } from './state.js';

export interface StartSpec { component: string; node?: string; netns?: string; command: string; args: string[]; log: string; env?: Record<string, string> }

/** Starts one process detached; returns its record (pid is the real program's: nsenter execs). */
export function startProcess(cluster: string, spec: StartSpec): ProcessRecord {
  mkdirSync(dirname(spec.log), { recursive: true });
  const fd = openSync(spec.log, 'a');
  // nsenter joins only the node's network namespace and keeps the host's mount namespace (unlike
  // `ip netns exec`), so pod namespaces the runtime adds under /run/netns are visible on the host.
  const argv = spec.netns ? [`--net=/run/netns/${spec.netns}`, '--', spec.command, ...spec.args] : spec.args;
  const cmd = spec.netns ? 'nsenter' : spec.command;
  const child = spawn(cmd, argv, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...spec.env, KUBESIM_CLUSTER: cluster },
  });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${spec.component}: ${cmd} ${argv.join(' ')}`);
  return { component: spec.component, node: spec.node, pid: child.pid, log: spec.log, args: [cmd, ...argv] };
}

/** True when pid is alive (and not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Every pid whose environment carries KUBESIM_CLUSTER=<cluster>. */
export function markedPids(cluster: string): number[] {
  const marker = `KUBESIM_CLUSTER=${cluster}\0`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.includes(marker) || env.endsWith(marker.slice(0, -1))) out.push(Number(entry));
    } catch { /* gone or not ours to read */ }
  }
  return out;
}

/** Sends SIGTERM to every pid, waits up to graceMs for them to exit, then SIGKILLs the rest. */
export async function stopPids(pids: number[], graceMs = 5000): Promise<void> {
  const alive = pids.filter(isAlive);
  for (const pid of alive) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of alive.filter(isAlive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  const killDeadline = Date.now() + 2000;
  while (Date.now() < killDeadline && alive.some(isAlive)) await new Promise((r) => setTimeout(r, 20));
}
