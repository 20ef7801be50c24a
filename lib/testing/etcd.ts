import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';
import type { EtcdPkiFiles } from '../pki/cluster.js';

/** A real etcd process started for a test: free ports, a temp data dir, removed on stop(). */
export interface TestEtcd {
  /** Client URL, e.g. http://127.0.0.1:23791 */
  endpoint: string;
  dataDir: string;
  process: ChildProcess;
  /** SIGSTOPs etcd and resolves once every thread of it is stopped (a hung etcd; resume() undoes it). */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

/** True when every thread of `pid` is stopped (state T or t in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.length > 0 && tasks.every((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return /^[Tt]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
    } catch { return true; /* the thread ended */ }
  });
}

const running = new Set<TestEtcd>();
process.once('exit', () => {
  for (const e of running) {
    try { e.process.kill('SIGKILL'); } catch { /* already gone */ }
    try { rmSync(e.dataDir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

/**
 * Starts Debian's `etcd` on free loopback ports; resolves once it answers /health. With `tls`
 * (ensureEtcdPki's files) it serves https and requires client certificates of that CA.
 */
export async function startEtcd(opts: { binary?: string; tls?: EtcdPkiFiles } = {}): Promise<TestEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubesim-etcd-'));
  const t = opts.tls;
  const endpoint = `${t ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const child = spawn(opts.binary ?? 'etcd', [
    '--name', 'test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `test=http://127.0.0.1:${peerPort}`,
    '--log-level', 'error',
    '--logger', 'zap',
    ...(t ? ['--cert-file', t.server.cert, '--key-file', t.server.key, '--client-cert-auth', '--trusted-ca-file', t.ca] : []),
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr = (stderr + d.toString()).slice(-4000); });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const etcd: TestEtcd = {
    endpoint,
    dataDir,
    process: child,
    async pause() {
      // The signal is not synchronous: a request sent right after kill() could still be served.
      child.kill('SIGSTOP');
      await waitFor('etcd stopped', () => allThreadsStopped(child.pid!), { timeoutMs: 5000, intervalMs: 5 });
    },
    resume() { if (!exited) child.kill('SIGCONT'); },
    async stop() {
      if (!exited) child.kill('SIGCONT');
      running.delete(etcd);
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.add(etcd);
  try {
    await waitFor('etcd /health', async () => {
      if (exited) throw new Error(`etcd exited: ${stderr}`);
      if (t) return httpsOk(`${endpoint}/health`, { ca: readFileSync(t.ca), cert: readFileSync(t.healthcheckClient.cert), key: readFileSync(t.healthcheckClient.key) });
      const res = await fetch(`${endpoint}/health`).catch(() => undefined);
      return res?.ok;
    }, { timeoutMs: 20_000 });
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  return etcd;
}

function httpsOk(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { ...tls, timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('timeout', () => req.destroy()).on('error', () => resolve(false)).end();
  });
}
