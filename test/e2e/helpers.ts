/**
 * End-to-end helpers: a real local cluster (`kubesim up` as a library call) driven with the real
 * kubectl, and a way into pod network namespaces to send traffic from inside a pod.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { up } from '../../cli/commands/up.js';
import { down } from '../../cli/commands/down.js';
import { run } from '../../lib/testing/netns.js';
import { acquireHostLock } from '../../lib/testing/host-lock.js';

const execFileP = promisify(execFile);

/** A running local cluster for a test file. */
export interface E2ECluster {
  name: string;
  kubeconfig: string;
  kubectl(...args: string[]): Promise<string>;
  /** kubectl whose exit code is an answer (auth can-i: 0 = yes, 1 = no): never throws on it. */
  kubectlStatus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  down(): Promise<void>;
}

/** Brings up a uniquely named cluster with `nodes` nodes (removed by down(), also after a failed up); holds the host's cluster lock until down(). */
export async function upCluster(nodes = 2, backend = 'vxlan'): Promise<E2ECluster> {
  const name = `e2e${randomBytes(2).toString('hex')}`;
  // One whole cluster at a time on this machine (test files run in parallel).
  const release = await acquireHostLock('cluster');
  let kubeconfig: string;
  try {
    kubeconfig = await up({ name, nodes, backend, etcdMembers: 1, fastFailover: true, v: 1, timeout: 60 });
  } catch (err) {
    await down({ name, quiet: true });
    release();
    throw err;
  }
  return {
    name,
    kubeconfig,
    async kubectl(...args: string[]) {
      try {
        const { stdout } = await execFileP('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000, maxBuffer: 16 << 20 });
        return stdout;
      } catch (err) {
        const e = err as Error & { stderr?: string };
        throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
      }
    },
    async kubectlStatus(...args: string[]) {
      try {
        const { stdout, stderr } = await execFileP('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000, maxBuffer: 16 << 20 });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as Error & { code?: number | string; stdout?: string; stderr?: string };
        if (typeof e.code !== 'number') throw err;
        return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    async down() {
      try { await down({ name, quiet: true }); } finally { release(); }
    },
  };
}

/** The network namespace (made by the runtime) that owns pod IP `ip` in cluster `name`. */
export async function podNetns(cluster: string, ip: string): Promise<string> {
  const list = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`ksim-${cluster}-node-`));
  for (const ns of list) {
    const addrs = await run('ip', ['-n', ns, '-o', '-4', 'addr', 'show']).catch(() => '');
    if (addrs.includes(` ${ip}/`) && !/cni0/.test(addrs.split('\n').find((l) => l.includes(` ${ip}/`)) ?? '')) return ns;
  }
  throw new Error(`no network namespace holds pod IP ${ip}`);
}

/** Runs a command inside a network namespace and returns stdout. */
export async function inNetns(ns: string, cmd: string, args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], { timeoutMs: 20_000 });
}
