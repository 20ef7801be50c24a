/**
 * --ip-masq, as flannel's: traffic from the pod network to anywhere outside it leaves the node
 * masqueraded as the node's address (so hosts without routes to the pod network can answer), pod ↔
 * pod traffic keeps its source address. Programmed with nftables (table `ip flannel`) in the node's
 * network namespace; removed on shutdown.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const TABLE = 'flannel';

function nft(netns: string | undefined, args: string[], input?: string): Promise<void> {
  const [cmd, argv] = netns ? ['ip', ['netns', 'exec', netns, 'nft', ...args]] : ['nft', args];
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv as string[], { timeout: 10_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`nft ${args.join(' ')}: ${stderr.trim() || err.message}`)); else resolve();
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The nft script for pod network `network` (e.g. 10.244.0.0/16). */
export function masqRuleset(network: string): string {
  return [
    `table ip ${TABLE} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${network} ip daddr ${network} return`,
    `    ip saddr ${network} ip daddr != 224.0.0.0/4 masquerade fully-random`,
    '  }',
    '}',
  ].join('\n');
}

/** Installs (replacing any previous copy) the masquerade rules. */
export async function installIpMasq(network: string, netns?: string): Promise<void> {
  await removeIpMasq(netns);
  await nft(netns, ['-f', '-'], `${masqRuleset(network)}\n`);
}

/** Removes the rules (missing is fine). */
export async function removeIpMasq(netns?: string): Promise<void> {
  await nft(netns, ['delete', 'table', 'ip', TABLE]).catch(() => undefined);
}

/** True when nft is usable here. */
export async function nftAvailable(): Promise<boolean> {
  return execFileP('nft', ['--version']).then(() => true, () => false);
}
