/** Test helpers: uniquely named network namespaces and temp dirs that are removed afterwards. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runOk } from '../runtime/run.js';

/** A short random name with the test prefix (`ksimt-` + 6 hex). */
export function testName(): string {
  return `ksimt-${randomBytes(3).toString('hex')}`;
}

/** Creates a named netns with lo up; returns its name. */
export async function createNetns(name = testName()): Promise<string> {
  await runOk('ip', ['netns', 'add', name]);
  await runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes a named netns (its veths go with it); ignores a missing one. */
export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name]);
}

/** Makes a temp dir; the returned function removes it. */
export function tempDir(prefix = 'ksimt-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command inside a netns (ip netns exec). */
export function inNetns(name: string, cmd: string[]) {
  return run('ip', ['netns', 'exec', name, ...cmd]);
}

/** Starts a TCP server answering "pong" inside a netns; resolves once it listens; call stop() afterwards. */
export async function pongServer(ns: string, port: number): Promise<{ stop: () => void }> {
  const { spawn } = await import('node:child_process');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e',
    `require('net').createServer((s) => s.end('pong')).listen(${port}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => resolve());
    child.on('exit', (code) => reject(new Error(`pong server exited ${code}`)));
  });
  return { stop: () => child.kill('SIGKILL') };
}

/** Connects from a netns to ip:port over TCP and returns what the peer sent ('' on failure). */
export async function tcpFetch(ns: string | undefined, ip: string, port: number): Promise<string> {
  const js = `const s=require('net').connect(${port},'${ip}');let b='';s.on('data',(d)=>b+=d);s.on('end',()=>{process.stdout.write(b)});s.on('error',(e)=>{console.error(e.message);process.exit(1)});setTimeout(()=>process.exit(2),3000).unref()`;
  const r = ns ? await run('ip', ['netns', 'exec', ns, process.execPath, '-e', js]) : await run(process.execPath, ['-e', js]);
  return r.code === 0 ? r.stdout : '';
}
