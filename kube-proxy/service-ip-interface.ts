/**
 * The dummy interface (`kube-ipvs0`) that holds every ClusterIP / external IP / LoadBalancer IP
 * as a local /32 in the namespace kube-proxy runs in, so packets to those addresses are delivered
 * to kube-proxy's listeners. Driven with the `ip` command; batches go through `ip -batch`.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Default name of the service address interface (as kube-proxy's IPVS mode). */
export const SERVICE_INTERFACE = 'kube-ipvs0';

/** Manages the /32 addresses on the service interface. */
export class ServiceIPInterface {
  constructor(readonly name = SERVICE_INTERFACE) {}

  /** Creates the link (dummy, else an empty bridge) if missing and sets it up. */
  async ensure(): Promise<void> {
    const exists = await execFileP('ip', ['link', 'show', 'dev', this.name]).then(() => true, () => false);
    if (!exists) {
      // Some kernels (this project's VMs) have no dummy driver; a bridge without ports holds
      // local addresses just the same and forwards nothing.
      await execFileP('ip', ['link', 'add', this.name, 'type', 'dummy'])
        .catch(() => execFileP('ip', ['link', 'add', this.name, 'type', 'bridge']));
    }
    await execFileP('ip', ['link', 'set', this.name, 'up']);
  }

  /** The IPv4 addresses currently on the interface. */
  async list(): Promise<string[]> {
    const { stdout } = await execFileP('ip', ['-j', '-4', 'addr', 'show', 'dev', this.name]);
    const links = JSON.parse(stdout || '[]') as { addr_info?: { local?: string }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local).filter((a): a is string => !!a));
  }

  /** Adds and removes addresses in one `ip -batch` run; errors for already-present/absent ones are ignored. */
  async apply(add: Iterable<string>, remove: Iterable<string>): Promise<void> {
    const lines: string[] = [];
    for (const ip of add) lines.push(`addr replace ${ip}/32 dev ${this.name}`);
    for (const ip of remove) lines.push(`addr del ${ip}/32 dev ${this.name}`);
    if (!lines.length) return;
    await new Promise<void>((resolve, reject) => {
      // -force: one failed line (e.g. deleting an address someone removed) must not stop the rest.
      const p = spawn('ip', ['-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('error', reject);
      p.on('close', (code) => {
        // Deletes of addresses that are already gone are harmless; anything else is reported.
        const real = err.split('\n').filter((l) => l.trim() && !/Cannot assign requested address|Command failed/.test(l));
        if (code !== 0 && real.length) reject(new Error(`ip -batch failed: ${real.join('; ')}`));
        else resolve();
      });
      p.stdin.end(lines.join('\n') + '\n');
    });
  }

  /** Removes the interface (and so every address on it). */
  async remove(): Promise<void> {
    await execFileP('ip', ['link', 'del', this.name]).catch(() => undefined);
  }
}
