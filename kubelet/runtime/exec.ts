/**
 * Running extra commands in a container (kubectl exec, exec probes): nsenter joins the
 * container's mount, UTS and network namespaces, then chroot + env -C give its root and
 * working directory; the environment is the container's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { ContainerRecord } from './containers.js';

/** Quotes one argument for sh. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command run on a terminal: util-linux `script` (present wherever the runtime runs, and
 * seen inside containers through the node's /usr) allocates the pty, copies the pipes to it and
 * returns the command's exit code; the size is set first, as a pipe has none.
 */
export function ttyCommand(cmd: string[], size = { cols: 80, rows: 24 }): string[] {
  return ['script', '-q', '-e', '-c', `stty cols ${size.cols} rows ${size.rows} 2>/dev/null; exec ${cmd.map(shellQuote).join(' ')}`, '/dev/null'];
}

/** Spawns `cmd` inside the container with piped stdio (on a pty when `tty`; output then on stdout only). */
export function spawnInContainer(r: ContainerRecord, cmd: string[], tty = false): ChildProcessWithoutNullStreams {
  if (tty) cmd = ttyCommand(cmd);
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
