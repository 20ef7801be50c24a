/**
 * Starts a process again from its record in cluster.json: exactly the recorded command line
 * (args[0] is the program, e.g. nsenter for node components), the same log file (appended), its
 * recorded extra environment and the cluster marker, detached as `up` starts it. Used by chaos restarts and `kubesim node start`.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessRecord } from './state.js';

/** Starts `rec` again; returns the record with its new pid. */
export function respawn(cluster: string, rec: ProcessRecord): ProcessRecord {
  const [cmd, ...argv] = rec.args;
  if (!cmd) throw new Error(`process record of ${rec.component} has no command line`);
  mkdirSync(dirname(rec.log), { recursive: true });
  const fd = openSync(rec.log, 'a');
  const child = spawn(cmd, argv, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...rec.env, KUBESIM_CLUSTER: cluster } });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`could not restart ${rec.component}: ${rec.args.join(' ')}`);
  return { ...rec, pid: child.pid };
}
