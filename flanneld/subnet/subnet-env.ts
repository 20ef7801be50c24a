/** `/run/flannel/subnet.env`: written atomically for the kubelet's network plugin, read back on restart. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatCidr, formatIp, type IPv4Net } from './cidr.js';

/** What flanneld publishes to the node. */
export interface SubnetEnv { network: IPv4Net; subnet: IPv4Net; mtu: number; ipMasq: boolean }

/** The file's text, as flannel writes it (FLANNEL_SUBNET is the first address with the lease's length). */
export function formatSubnetEnv(e: SubnetEnv): string {
  return [
    `FLANNEL_NETWORK=${formatCidr(e.network)}`,
    `FLANNEL_SUBNET=${formatIp((e.subnet.ip + 1) >>> 0)}/${e.subnet.prefixLen}`,
    `FLANNEL_MTU=${e.mtu}`,
    `FLANNEL_IPMASQ=${e.ipMasq}`,
    '',
  ].join('\n');
}

/** Writes the file via a temp file + rename so a reader never sees half of it. */
export async function writeSubnetEnv(path: string, e: SubnetEnv): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, formatSubnetEnv(e), { mode: 0o644 });
  await rename(tmp, path);
}

/** Reads KEY=VALUE lines; {} when the file is missing or unreadable. */
export async function readSubnetEnv(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}
