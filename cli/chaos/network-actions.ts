/**
 * Chaos on the network. A partition cuts nodes off the underlay (their host-side veth down) or,
 * given two groups, splits the cluster with blackhole routes to the other group's underlay
 * addresses inside the node namespaces (never a route in the root namespace). netem rules go to
 * flanneld's userspace encapsulation through etcd (works without sch_netem), or to tc when asked.
 */
import { Etcd3 } from 'etcd3';
import { putChaos, clearChaos } from '../../flanneld/chaos-watch.js';
import { run, ipIn, execIn } from '../../lib/testing/netns.js';
import { ApiError } from '../../lib/errors.js';
import { UserError } from '../commands/up.js';
import { nodeOf, type ChaosContext } from './context.js';
import { recordEvent } from './events.js';
import { isAlive } from '../cluster/supervisor.js';

const FLANNEL_PREFIX = '/coreos.com/network';

/** Cuts each node off the underlay (host-side veth down). */
export async function partitionNodes(ctx: ChaosContext, nodes: string[]): Promise<void> {
  if (!nodes.length) throw new UserError('partition: name at least one node');
  for (const name of nodes) {
    const n = nodeOf(ctx, name);
    await run('ip', ['link', 'set', n.hostVeth, 'down']);
    await recordEvent(ctx, name, 'ChaosPartition', `kubesim chaos: ${name} cut off the underlay (${n.hostVeth} down)`);
  }
}

/** Splits the cluster in two groups that cannot reach each other (both still reach the control plane). */
export async function splitCluster(ctx: ChaosContext, a: string[], b: string[]): Promise<void> {
  if (!a.length || !b.length) throw new UserError('split: both groups need at least one node');
  const overlap = a.filter((x) => b.includes(x));
  if (overlap.length) throw new UserError(`split: ${overlap.join(', ')} is in both groups`);
  for (const [mine, theirs] of [[a, b], [b, a]]) {
    for (const name of mine) {
      const n = nodeOf(ctx, name);
      for (const other of theirs) {
        await ipIn(n.netns, 'route', 'replace', 'blackhole', `${nodeOf(ctx, other).underlayIP}/32`);
      }
      await recordEvent(ctx, name, 'ChaosPartition', `kubesim chaos: ${name} split from ${theirs.join(', ')}`);
    }
  }
}

/** Undoes every partition: node links up (not of stopped nodes), blackhole routes to underlay addresses removed. */
export async function heal(ctx: ChaosContext): Promise<void> {
  const underlayIPs = new Set(ctx.nodes.map((n) => n.underlayIP));
  for (const n of ctx.nodes) {
    // A node powered off with `kubesim node stop` stays off: only `node start` brings it back.
    const stopped = !ctx.state.processes.some((p) => p.node === n.name && isAlive(p.pid));
    if (!stopped) await run('ip', ['link', 'set', n.hostVeth, 'up']).catch(() => undefined);
    const routes = await ipIn(n.netns, 'route', 'show', 'type', 'blackhole').catch(() => '');
    for (const line of routes.split('\n')) {
      const dst = /^blackhole (\S+)/.exec(line.trim())?.[1];
      if (dst && underlayIPs.has(dst.replace(/\/32$/, ''))) await ipIn(n.netns, 'route', 'del', 'blackhole', dst).catch(() => undefined);
    }
  }
  await recordEvent(ctx, undefined, 'ChaosHeal', 'kubesim chaos: partitions healed (all underlay links up, split routes removed)', 'Normal');
}

/** netem settings for traffic leaving a node over the overlay. */
export interface NetemOptions { delayMs?: number; jitterMs?: number; loss?: number; duplicate?: number; reorder?: number; seed?: number; tc?: boolean }

/** Applies netem to everything `node` sends over the overlay ('all' = every node). */
export async function netem(ctx: ChaosContext, node: string, o: NetemOptions): Promise<void> {
  const targets = node === 'all' ? ctx.nodes : [nodeOf(ctx, node)];
  const rule = Object.fromEntries(Object.entries({ delayMs: o.delayMs, jitterMs: o.jitterMs, loss: o.loss, duplicate: o.duplicate, reorder: o.reorder }).filter(([, v]) => v !== undefined));
  if (o.tc) {
    for (const n of targets) await tcNetem(n.netns, o);
  } else {
    await withEtcd(ctx, async (etcd) => {
      try {
        await putChaos(etcd, FLANNEL_PREFIX, node === 'all' ? 'all' : targets[0].underlayIP, { seed: o.seed, peers: { '*': rule } });
      } catch (err) {
        if (err instanceof ApiError) throw new UserError(err.message);
        throw err;
      }
    });
  }
  const how = o.tc ? 'tc netem on eth0' : 'flanneld userspace encapsulation';
  for (const n of targets) await recordEvent(ctx, n.name, 'ChaosNetem', `kubesim chaos: netem ${JSON.stringify(rule)}${o.seed !== undefined ? ` seed ${o.seed}` : ''} via ${how}`);
}

/** Removes netem from `node` ('all' = every node and the cluster-wide rule). */
export async function clearNetem(ctx: ChaosContext, node: string): Promise<void> {
  const targets = node === 'all' ? ctx.nodes : [nodeOf(ctx, node)];
  await withEtcd(ctx, async (etcd) => {
    if (node === 'all') await clearChaos(etcd, FLANNEL_PREFIX, 'all');
    for (const n of targets) await clearChaos(etcd, FLANNEL_PREFIX, n.underlayIP);
  });
  for (const n of targets) await execIn(n.netns, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => undefined);
  await recordEvent(ctx, node === 'all' ? undefined : node, 'ChaosNetemCleared', `kubesim chaos: netem cleared on ${node}`, 'Normal');
}

async function tcNetem(netns: string, o: NetemOptions): Promise<void> {
  const args = ['qdisc', 'replace', 'dev', 'eth0', 'root', 'netem'];
  if (o.delayMs !== undefined) args.push('delay', `${o.delayMs}ms`, ...(o.jitterMs ? [`${o.jitterMs}ms`] : []));
  if (o.loss !== undefined) args.push('loss', `${o.loss * 100}%`);
  if (o.duplicate !== undefined) args.push('duplicate', `${o.duplicate * 100}%`);
  if (o.reorder !== undefined) args.push('reorder', `${o.reorder * 100}%`);
  try {
    await execIn(netns, 'tc', args);
  } catch (err) {
    throw new UserError(`tc netem is not available here (${(err as Error).message.split('\n')[0]}); leave out --tc to use flanneld's userspace netem`);
  }
}

async function withEtcd<T>(ctx: ChaosContext, fn: (etcd: Etcd3) => Promise<T>): Promise<T> {
  const etcd = new Etcd3({ ...ctx.etcdOptions, dialTimeout: 3000 });
  try { return await fn(etcd); } finally { etcd.close(); }
}
