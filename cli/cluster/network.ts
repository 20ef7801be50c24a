/**
 * The underlay of a local cluster: a bridge in the root namespace (the "switch", host at .1) and
 * one network namespace per node plugged into it. Nodes get no default route (network safety:
 * nothing inside a cluster can reach beyond this machine).
 */
import { readdirSync } from 'node:fs';
import { run, ipIn, execIn } from '../../lib/testing/netns.js';
import type { ClusterLayout, NodeLayout } from './layout.js';

async function linkExists(name: string, ns = ''): Promise<boolean> {
  return ipIn(ns, 'link', 'show', name).then(() => true, () => false);
}

/** Creates the underlay bridge with the host address (idempotent). */
export async function ensureBridge(c: ClusterLayout): Promise<void> {
  if (!(await linkExists(c.bridge))) {
    await run('ip', ['link', 'add', c.bridge, 'type', 'bridge']);
  }
  const addrs = await run('ip', ['-o', 'addr', 'show', 'dev', c.bridge]);
  if (!addrs.includes(` ${c.hostIP}/`)) await run('ip', ['addr', 'add', `${c.hostIP}/24`, 'dev', c.bridge]);
  await run('ip', ['link', 'set', c.bridge, 'up']);
  await allowBridgedForwarding(c.bridge);
}

/**
 * With br_netfilter loaded, bridged frames go through iptables' FORWARD chain; Docker sets its policy
 * to DROP, which would cut the nodes off from each other. Accept traffic between ports of our own
 * bridge (and only that) while the cluster exists.
 */
async function allowBridgedForwarding(bridge: string): Promise<void> {
  const rule = ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
  if (!(await run('iptables', ['-S', 'FORWARD']).then(() => true, () => false))) return; // no iptables here
  if (await run('iptables', ['-C', ...rule]).then(() => true, () => false)) return;
  await run('iptables', ['-I', ...rule]);
}

/** Removes the FORWARD rule added for the bridge (missing is fine). */
async function removeBridgedForwarding(bridge: string): Promise<void> {
  const rule = ['FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
  while (await run('iptables', ['-D', ...rule]).then(() => true, () => false)) { /* remove duplicates too */ }
}

/** Creates a node namespace plugged into the bridge as eth0 with its underlay address (idempotent). */
export async function ensureNodeNetwork(c: ClusterLayout, n: NodeLayout): Promise<void> {
  const existing = await run('ip', ['netns', 'list']);
  if (!existing.split('\n').some((l) => l.split(' ')[0] === n.netns)) {
    await run('ip', ['netns', 'add', n.netns]);
  }
  await ipIn(n.netns, 'link', 'set', 'lo', 'up');
  // Nodes route pod traffic between cni0 and the overlay: forwarding on, explicitly (not inherited).
  await execIn(n.netns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  if (!(await linkExists('eth0', n.netns))) {
    // A veth of ours left by a node namespace that some process still pins: its name is ours to reuse.
    if (await linkExists(n.hostVeth)) await run('ip', ['link', 'del', n.hostVeth]);
    await run('ip', ['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns]);
    await run('ip', ['link', 'set', n.hostVeth, 'master', c.bridge, 'up']);
    await ipIn(n.netns, 'addr', 'add', `${n.underlayIP}/24`, 'dev', 'eth0');
    await ipIn(n.netns, 'link', 'set', 'eth0', 'up');
  }
}

/** Every network namespace whose name starts with prefix. */
export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const list = await run('ip', ['netns', 'list']).catch(() => '');
  const fromIp = list.split('\n').map((l) => l.split(' ')[0]).filter((n) => n && n.startsWith(prefix));
  let fromRun: string[] = [];
  try { fromRun = readdirSync('/run/netns').filter((n) => n.startsWith(prefix)); } catch { /* none */ }
  return [...new Set([...fromIp, ...fromRun])];
}

/** Kills every process in namespace ns and deletes it (missing is fine). */
export async function removeNamespace(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns]).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
  await run('ip', ['netns', 'del', ns]).catch(() => undefined);
}

/** Removes the underlay bridge (the node veths go with their namespaces). */
export async function removeBridge(c: ClusterLayout): Promise<void> {
  if (await linkExists(c.bridge)) await run('ip', ['link', 'del', c.bridge]);
  await removeBridgedForwarding(c.bridge);
}
