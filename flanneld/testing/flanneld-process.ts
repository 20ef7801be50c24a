/** Starts a real flanneld process for a test node (in the root namespace, datapath in the node's). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../lib/testing/wait.js';
import { readSubnetEnv } from '../subnet/subnet-env.js';

/** A flanneld child process. */
export interface FlanneldProc {
  child: ChildProcess;
  /** Port of its /metrics /healthz /chaos endpoint. */
  port: number;
  logs: () => string;
  /** SIGTERM and wait (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait, as a crash. */
  kill(): Promise<void>;
}

const mainPath = (): string => {
  const url = new URL(import.meta.url.endsWith('.ts') ? '../main.ts' : '../main.js', import.meta.url);
  return fileURLToPath(url);
};

// Only loader flags (tsx under `node --import tsx`) are passed on, not the test runner's.
const loaderArgs = (): string[] => {
  const out: string[] = [];
  const a = process.execArgv;
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === '--import' || a[i] === '--loader') && a[i + 1]) out.push(a[i], a[++i]);
    else if (a[i].startsWith('--import=')) out.push(a[i]);
  }
  return out;
};

/** Starts flanneld with args; resolves once subnet.env exists and /healthz answers ok. */
export async function startFlanneld(args: string[], subnetFile: string, timeoutMs = 20_000): Promise<FlanneldProc> {
  // KUBESIM_FLANNELD_NODE_ARGS: extra node flags for the daemon, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = (process.env.KUBESIM_FLANNELD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...loaderArgs(), ...nodeArgs, mainPath(), '--metrics-port', '0', '--subnet-file', subnetFile, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'info' }, // its port is read from the info log
  });
  let log = '';
  let port = 0;
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
    const m = /serving \/healthz.*address=127\.0\.0\.1:(\d+)/.exec(log);
    if (m) port = Number(m[1]);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const proc: FlanneldProc = {
    child,
    get port() { return port; },
    logs: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await waitFor('flanneld ready', async () => {
      if (child.exitCode !== null) throw new Error(`flanneld exited ${child.exitCode}: ${log}`);
      if (!port) return false;
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok && (await readSubnetEnv(subnetFile)).FLANNEL_SUBNET;
    }, { timeoutMs });
  } catch (err) {
    await proc.kill();
    throw new Error(`${(err as Error).message}\n--- flanneld log ---\n${log}`);
  }
  return proc;
}
