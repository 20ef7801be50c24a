/** Runs iproute2 (`ip`, `bridge`) inside flanneld's network namespace. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { netnsPath } from '../tuntap/index.js';

const execFileP = promisify(execFile);

/** Runs `cmd args` in netns (name or path; '' = here) and returns stdout; errors carry stderr. */
export async function runIn(netns: string, cmd: string, args: string[]): Promise<string> {
  const path = netnsPath(netns);
  const [file, argv] = path ? ['nsenter', [`--net=${path}`, cmd, ...args]] : [cmd, args];
  try {
    return (await execFileP(file, argv, { timeout: 15_000 })).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** `ip args` in netns. */
export function ip(netns: string, ...args: string[]): Promise<string> { return runIn(netns, 'ip', args); }

/** `ip args` that may fail because the thing is already gone (deletes during cleanup). */
export async function ipQuiet(netns: string, ...args: string[]): Promise<void> {
  await ip(netns, ...args).catch(() => undefined);
}

/** The name of the link holding address addr in netns, or undefined. */
export async function linkWithAddress(netns: string, addr: string): Promise<string | undefined> {
  const out = await ip(netns, '-o', '-4', 'addr', 'show');
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)\//.exec(line);
    if (m && m[2] === addr) return m[1].split('@')[0];
  }
  return undefined;
}

/** The first IPv4 address of link in netns, or undefined. */
export async function firstAddress(netns: string, link: string): Promise<string | undefined> {
  const out = await ip(netns, '-o', '-4', 'addr', 'show', 'dev', link);
  return /inet\s+(\d+\.\d+\.\d+\.\d+)\//.exec(out)?.[1];
}

/** The link carrying the default route (or, lacking one, the first non-loopback link with an IPv4 address). */
export async function defaultLink(netns: string): Promise<string | undefined> {
  const route = await ip(netns, '-o', '-4', 'route', 'show', 'default');
  const dev = /\bdev\s+(\S+)/.exec(route)?.[1];
  if (dev) return dev;
  const out = await ip(netns, '-o', '-4', 'addr', 'show');
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet\s/.exec(line);
    if (m && m[1] !== 'lo') return m[1].split('@')[0];
  }
  return undefined;
}
