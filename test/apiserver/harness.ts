/**
 * End-to-end harness: a real etcd, the real apiserver PROCESS (dist/apiserver/main.js on free
 * ports), a kubeconfig in a temp dir, and helpers to run the real kubectl against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { waitFor } from '../../lib/testing/wait.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../apiserver/main.js');

/** A running apiserver process with its etcd and a kubeconfig. */
export interface TestCluster {
  url: string;
  grpcPort: number;
  etcd: TestEtcd;
  process: ChildProcess;
  dir: string;
  kubeconfig: string;
  /** Everything the process wrote to stderr so far (for assertion messages). */
  logs(): string;
  /** SIGTERM the apiserver; resolves with its exit code. */
  stopApiserver(): Promise<number | null>;
  /** Stops everything and removes the temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts etcd + apiserver; `extraArgs` are appended to the apiserver's flags. gRPC stays plain
 * (on 127.0.0.1) even with HTTPS on (`--grpc-insecure true`; pass `--grpc-insecure false` for TLS).
 */
export async function startCluster(extraArgs: string[] = []): Promise<TestCluster> {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-api-'));
  // KUBESIM_APISERVER_NODE_ARGS: node flags for the apiserver process (profiling: --cpu-prof --cpu-prof-dir=...).
  const nodeArgs = (process.env.KUBESIM_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MAIN, '--etcd-servers', etcd.endpoint, '--port', '0', '--grpc-port', '0', '--v', '2', '--grpc-insecure', 'true', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-200_000); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let gone = false;
  void exited.then(() => { gone = true; });
  const stopApiserver = async () => {
    if (!gone) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  try {
    const ports = await waitFor('apiserver ports line', () => {
      if (gone) throw new Error(`apiserver exited: ${stderr}`);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as { httpPort: number; grpcPort: number }) : undefined;
    }, { timeoutMs: 20_000 });
    const url = `http://127.0.0.1:${ports.httpPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      // client-node refuses plain http unless the cluster says insecure-skip-tls-verify.
      `clusters: [{name: ksim, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      'contexts: [{name: ksim, context: {cluster: ksim, user: admin, namespace: default}}]',
      'users: [{name: admin, user: {}}]', 'current-context: ksim', '',
    ].join('\n'));
    await waitFor('apiserver /readyz', async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok, { timeoutMs: 20_000 });
    return {
      url, grpcPort: ports.grpcPort, etcd, process: child, dir, kubeconfig, logs: () => stderr, stopApiserver,
      async stop() {
        await stopApiserver();
        await etcd.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopApiserver();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The kubectl binaries to test: 1.32 (/usr/bin) and 1.27 (gcloud SDK), or whatever of them exists. */
export function kubectlBinaries(): string[] {
  const wanted = ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl.1.27'];
  const found = wanted.filter((p) => existsSync(p));
  if (found.length) return found;
  const any = ['1.33', '1.31', '1.30', '1.29', '1.28'].map((v) => `/usr/lib/google-cloud-sdk/bin/kubectl.${v}`).find((p) => existsSync(p));
  if (!any) throw new Error('no kubectl binary found');
  return [any];
}

/** Result of one kubectl run. */
export interface KubectlResult { code: number | null; stdout: string; stderr: string }

/** Runs kubectl with the cluster's kubeconfig; `input` goes to stdin. Never throws on exit code. */
export function kubectl(bin: string, c: TestCluster, args: string[], opts: { input?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--kubeconfig', c.kubeconfig, ...args], {
      env: { ...process.env, HOME: c.dir, KUBECONFIG: c.kubeconfig, KUBECTL_KUBERC: 'false' },
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (err) => { if ((err as { name?: string }).name !== 'AbortError') reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    // kubectl may exit before reading stdin (e.g. killed by the timeout): its output and exit code tell.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Like `kubectl` but throws with stderr when the exit code is not 0; returns stdout. */
export async function kubectlOk(bin: string, c: TestCluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, c, args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
