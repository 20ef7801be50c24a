/** What a local cluster may leave on this machine, listed so tests can assert `kubesim down` removed it all. */
import { readFileSync, existsSync } from 'node:fs';
import { run } from '../../lib/testing/netns.js';
import { markedPids } from '../../cli/cluster/supervisor.js';
import { STATE_ROOT } from '../../cli/cluster/layout.js';

/** Everything of cluster `name` still on this machine: namespaces, marked processes, mounts, state dir (empty when clean). */
export async function leftovers(name: string): Promise<string[]> {
  const out: string[] = [];
  const ns = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`ksim-${name}-`));
  if (ns.length) out.push(`namespaces: ${ns.join(' ')}`);
  const pids = markedPids(name);
  if (pids.length) out.push(`processes: ${pids.join(' ')}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`/kubesim/${name}/`) || l.includes(`ksim-${name}-`));
  if (mounts.length) out.push(`mounts: ${mounts.length}`);
  if (existsSync(`${STATE_ROOT}/${name}`)) out.push(`state dir ${STATE_ROOT}/${name}`);
  return out;
}
