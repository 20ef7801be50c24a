/** Process identity on Linux: a pid plus its start time, so a reused pid is never mistaken for ours. */
import { readFileSync } from 'node:fs';

/** The process start time (clock ticks since boot, /proc/<pid>/stat field 22), or undefined when gone. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z') return undefined; // a zombie is as good as gone
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}

/** True when pid is alive and (if given) still the process that started at startTime. */
export function isAlive(pid: number | undefined, startTime?: number): boolean {
  if (!pid) return false;
  const st = processStartTime(pid);
  return st !== undefined && (startTime === undefined || st === startTime);
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* already exited */ }
}
