/**
 * Running extra commands in a container (kubectl exec, exec probes): nsenter joins the
 * container's mount, UTS and network namespaces, then chroot + env -C give its root and
 * working directory; the environment is the container's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Writable } from 'node:stream';
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

/** A terminal for an exec: its initial size and, with Perl, the relay that can resize it later. */
export interface ExecTty { size?: TtySize; relay?: string[] }

/** A terminal size. */
export interface TtySize { cols: number; rows: number }

/** An exec's process; `resize` changes its terminal's size (a no-op without a resizable terminal). */
export type ExecChild = ChildProcessWithoutNullStreams & { resize(size: TtySize): void };

/**
 * Spawns `cmd` inside the container with piped stdio. With `tty` it runs on a terminal (output
 * then on stdout only): made by the Perl relay, which takes resizes on fd 3, or else by `script`.
 */
export function spawnInContainer(r: ContainerRecord, cmd: string[], tty?: ExecTty): ExecChild {
  const env = Object.fromEntries(r.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const size = tty?.size ?? { cols: 80, rows: 24 };
  if (tty && !tty.relay) cmd = ttyCommand(cmd, size);
  // chroot by path inside the container's mount namespace (not nsenter -r): the root is
  // complete once the container started, even before its own chroot has run.
  // In the container's PID namespace a terminal's session must lead there too (setsid -c): a shell
  // restores its process group at exit, and nsenter's (outside) is not visible inside.
  const session = tty && r.pidNamespace ? ['setsid', '-c'] : [];
  const argv = ['nsenter', '-t', String(r.pid), '-m', '-u', '-n', ...(r.pidNamespace ? [`--pid=${r.pidNamespace}`] : []), '--', ...session, 'chroot', r.rootPath, '/usr/bin/env', '-C', r.workingDir || '/', '--', ...cmd];
  if (tty?.relay) {
    const [bin, ...pre] = tty.relay;
    const child = spawn(bin, [...pre, String(size.cols), String(size.rows), ...argv], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
    const ctl = child.stdio[3] as Writable;
    ctl.on('error', () => { /* the relay is gone */ });
    return Object.assign(child, { resize: (s: TtySize) => { if (!ctl.destroyed) ctl.write(`${s.cols} ${s.rows}\n`); } });
  }
  return Object.assign(spawn(argv[0], argv.slice(1), { env, stdio: 'pipe' }), { resize: () => undefined });
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
