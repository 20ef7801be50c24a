/**
 * Network namespace helpers for tests (and labs): create/delete namespaces, veth pairs and
 * bridges, run commands inside. Names must be unique per test (see uniqueName) and every
 * creator must be paired with a delete in a finally / t.after.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A short unique name like `ksimt-a1b2c3` (Linux interface names are at most 15 characters). */
export function uniqueName(prefix = 'ksimt-'): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/** Runs a program and resolves with stdout; rejects with stderr in the message. */
export async function run(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Runs `cmd args` inside namespace ns (empty ns = here); resolves with stdout. */
export async function execIn(ns: string, cmd: string, args: string[] = [], opts: { timeoutMs?: number } = {}): Promise<string> {
  if (!ns) return run(cmd, args, opts);
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Starts a long-running process inside namespace ns; the caller kills it. */
export function spawnIn(ns: string, cmd: string, args: string[] = [], opts: SpawnOptions = {}): ChildProcess {
  return ns ? spawn('ip', ['netns', 'exec', ns, cmd, ...args], opts) : spawn(cmd, args, opts);
}

/** `ip -n ns ...` */
export async function ipIn(ns: string, ...args: string[]): Promise<string> {
  return run('ip', ns ? ['-n', ns, ...args] : args);
}

/** Creates a network namespace with loopback up and ip_forward set as asked. */
export async function createNetns(name: string, opts: { forward?: boolean } = {}): Promise<string> {
  await run('ip', ['netns', 'add', name]);
  try {
    await ipIn(name, 'link', 'set', 'lo', 'up');
    // New namespaces may inherit ip_forward from the root namespace: set it explicitly.
    await execIn(name, 'sysctl', ['-qw', `net.ipv4.ip_forward=${opts.forward ? 1 : 0}`]);
  } catch (err) {
    await deleteNetns(name);
    throw err;
  }
  return name;
}

/** Deletes a namespace after killing every process still in it; missing is fine. */
export async function deleteNetns(name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name]).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
}

/** Synchronous delete for process-exit handlers. */
export function deleteNetnsSync(name: string): void {
  try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* gone */ }
}

/** Creates a veth pair with end a in nsA and end b in nsB (both set up). */
export async function createVeth(a: string, nsA: string, b: string, nsB: string): Promise<void> {
  await run('ip', ['link', 'add', a, 'netns', nsA, 'type', 'veth', 'peer', 'name', b, 'netns', nsB]);
  await ipIn(nsA, 'link', 'set', a, 'up');
  await ipIn(nsB, 'link', 'set', b, 'up');
}

/** Creates a bridge in ns (up), optionally with an address like 10.244.1.1/24. */
export async function createBridge(ns: string, name: string, address?: string): Promise<void> {
  await ipIn(ns, 'link', 'add', name, 'type', 'bridge');
  if (address) await ipIn(ns, 'addr', 'add', address, 'dev', name);
  await ipIn(ns, 'link', 'set', name, 'up');
}

/** Attaches link to bridge inside ns. */
export async function attachToBridge(ns: string, link: string, bridge: string): Promise<void> {
  await ipIn(ns, 'link', 'set', link, 'master', bridge);
}

/** Adds an address to a link inside ns. */
export async function addAddress(ns: string, link: string, address: string): Promise<void> {
  await ipIn(ns, 'addr', 'add', address, 'dev', link);
}
