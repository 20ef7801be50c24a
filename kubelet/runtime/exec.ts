/**
 * Running extra commands in a container (kubectl exec, exec probes): nsenter joins the
 * container's mount, UTS and network namespaces, then chroot + env -C give its root and
 * working directory; the environment is the container's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { ContainerRecord } from './containers.js';

/** Spawns `cmd` inside the container with piped stdio. */
export function spawnInContainer(r: ContainerRecord, cmd: string[]): ChildProcessWithoutNullStreams {
  const env = Object.fromEntries(r.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  // chroot by path inside the container's mount namespace (not nsenter -r): the root is
  // complete once the container started, even before its own chroot has run.
  return spawn('nsenter', ['-t', String(r.pid), '-m', '-u', '-n', '--', 'chroot', r.rootPath, '/usr/bin/env', '-C', r.workingDir || '/', '--', ...cmd], { env, stdio: 'pipe' });
}

/** Runs a command to completion; output and exit code as CRI ExecSync returns them (exit 124 on timeout). */
export function execSync(r: ContainerRecord, cmd: string[], timeoutMs: number): Promise<{ stdout: Buffer; stderr: Buffer; exit_code: number }> {
  return new Promise((resolve) => {
    const child = spawnInContainer(r, cmd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.end();
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exit_code: timedOut ? 124 : code ?? (sig ? 137 : 1) });
    });
  });
}
