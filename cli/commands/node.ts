/**
 * `kubesim node add|remove|stop|start <name>`: grow or shrink a local cluster, or power a node
 * off and on. A joining node gets a namespace on the underlay, a subnet lease, DaemonSet pods
 * and overlay routes on the others (flanneld there watches leases); a stopped node goes
 * NotReady and its pods move after the eviction timeout.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Etcd3 } from 'etcd3';
import { nodeLayout } from '../cluster/layout.js';
import { etcdMemberCount } from '../cluster/etcd.js';
import { readState, writeState } from '../cluster/state.js';
import { ensureNodeNetwork, namespacesWithPrefix, removeNamespace } from '../cluster/network.js';
import { stopPids } from '../cluster/supervisor.js';
import { unmountBelow } from '../cluster/mounts.js';
import { startNodeComponents, waitNodeReady } from '../cluster/bring-node.js';
import { loadContext, nodeOf } from '../chaos/context.js';
import { stopNode, startNode } from '../chaos/process-actions.js';
import { recordEvent } from '../chaos/events.js';
import { UserError } from './up.js';

const nameOpt = () => new Option('--name <name>', 'cluster name').default('kubesim');

/** Adds node `node` to cluster `cluster` and waits until it is Ready. */
export async function addNode(cluster: string, node: string, timeoutMs = 60_000): Promise<void> {
  if (!/^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$/.test(node)) throw new UserError(`invalid node name "${node}": lowercase letters, digits and '-', at most 20 characters`);
  const ctx = loadContext(cluster);
  if (ctx.nodes.some((n) => n.name === node)) throw new UserError(`node "${node}" already exists in cluster "${cluster}"`);
  const index = Math.max(0, ...ctx.state.nodes.map((n) => n.index)) + 1;
  if (index > 200) throw new UserError('no underlay address left for another node');
  const n = nodeLayout(ctx.layout, index, node);
  if (ctx.nodes.some((x) => x.hostVeth === n.hostVeth)) throw new UserError(`node name "${node}" clashes with an existing node's link name ${n.hostVeth}; pick another name`);
  const state = readState(cluster)!;
  state.nodes.push({ name: node, index });
  writeState(state);
  mkdirSync(n.dir, { recursive: true });
  await ensureNodeNetwork(ctx.layout, n);
  const o = state.options as { backend?: string; fastFailover?: boolean; v?: number };
  await startNodeComponents(state, ctx.layout, n, { backend: o.backend ?? state.backend, fastFailover: !!o.fastFailover, v: o.v ?? 1, etcdMembers: etcdMemberCount(state) }, true);
  await waitNodeReady(state, ctx.layout, n, timeoutMs);
  await recordEvent({ ...ctx, state }, node, 'NodeAdded', `kubesim: node ${node} joined (${n.underlayIP})`, 'Normal');
}

/** Removes node `node`: its pods deleted, components stopped, namespaces, lease and Node object gone. */
export async function removeNode(cluster: string, node: string): Promise<void> {
  const ctx = loadContext(cluster);
  const n = nodeOf(ctx, node);
  // Pods first, with the kubelet still running, so it stops their processes as Kubernetes would.
  const pods = await fetch(`${ctx.apiURL}/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`).then((r) => r.json() as Promise<{ items?: { metadata: { name: string; namespace: string } }[] }>).catch(() => ({ items: [] }));
  for (const p of pods.items ?? []) {
    await fetch(`${ctx.apiURL}/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}?gracePeriodSeconds=0`, { method: 'DELETE' }).catch(() => undefined);
  }
  await stopPids(ctx.state.processes.filter((p) => p.node === node).map((p) => p.pid), 5000);
  for (const ns of [...await namespacesWithPrefix(`${n.netns}-`), n.netns]) await removeNamespace(ns);
  unmountBelow(n.dir);
  rmSync(n.dir, { recursive: true, force: true });
  const etcd = new Etcd3({ ...ctx.etcdOptions, dialTimeout: 3000 });
  try {
    const leases = await etcd.getAll().prefix('/coreos.com/network/subnets/').strings();
    for (const [key, value] of Object.entries(leases)) {
      if ((JSON.parse(value) as { PublicIP?: string }).PublicIP === n.underlayIP) await etcd.delete().key(key);
    }
  } finally {
    etcd.close();
  }
  await fetch(`${ctx.apiURL}/api/v1/nodes/${node}`, { method: 'DELETE' }).catch(() => undefined);
  const state = readState(cluster)!;
  state.nodes = state.nodes.filter((x) => x.name !== node);
  state.processes = state.processes.filter((p) => p.node !== node);
  writeState(state);
}

/** Adds the `node` command tree to program. */
export function registerNode(program: Command): void {
  const cmd = program.command('node').description('add, remove, stop or start a node of a local cluster');
  cmd.command('add <node>').description('add a node (namespace, subnet lease, components) and wait until Ready').addOption(nameOpt())
    .option('--timeout <seconds>', 'how long to wait for Ready', (v) => Number.parseInt(v, 10), 60)
    .action(async (node: string, o) => { await addNode(o.name, node, o.timeout * 1000); console.log(`node ${node} is Ready`); });
  cmd.command('remove <node>').description('remove a node and everything it ran').addOption(nameOpt())
    .action(async (node: string, o) => { await removeNode(o.name, node); console.log(`node ${node} removed`); });
  cmd.command('stop <node>').description('power a node off: components killed, underlay link down (pods move after the eviction timeout)').addOption(nameOpt())
    .action(async (node: string, o) => { await stopNode(loadContext(o.name), node); console.log(`node ${node} stopped`); });
  cmd.command('start <node>').description('power a stopped node on again').addOption(nameOpt())
    .action(async (node: string, o) => { await startNode(loadContext(o.name), node); console.log(`node ${node} started`); });
}
