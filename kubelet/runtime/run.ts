/** Runs host tools (ip, mount, nsenter) as child processes and turns failures into ApiErrors. */
import { spawn } from 'node:child_process';
import { ApiError } from '../../lib/errors.js';

/** What a finished command printed and how it ended. */
export interface RunResult { code: number; stdout: string; stderr: string }

/** Options for run(): text for stdin, extra environment, a deadline. */
export interface RunOptions { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }

/** Runs `cmd args`, resolving with its exit code and output (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, timeout: opts.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    child.stdin.on('error', () => { /* the tool may exit before reading stdin */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws an Internal ApiError carrying its stderr when it fails. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new ApiError('Internal', `${cmd} ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** `ip` with an optional `-n <netns>` prefix: the namespace the command acts in. */
export function ipArgs(netns: string | undefined, args: string[]): string[] {
  return netns ? ['-n', netns, ...args] : args;
}

/** Runs several `ip` commands in one process (`ip -batch -`); stops at the first failure. */
export async function ipBatch(netns: string | undefined, lines: string[]): Promise<void> {
  await runOk('ip', ipArgs(netns, ['-batch', '-']), { input: lines.join('\n') + '\n' });
}
