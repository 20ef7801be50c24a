import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { upCluster, podNetns, inNetns, type E2ECluster } from '../e2e/helpers.js';
import { loadContext } from '../../cli/chaos/context.js';
import { netem, clearNetem, splitCluster, heal } from '../../cli/chaos/network-actions.js';
import { waitFor } from '../../lib/testing/wait.js';

let c: E2ECluster;
let from = '', to = '';
before(async () => {
  c = await upCluster(2);
  await c.kubectl('create', 'deployment', 'nc', '--image=traefik/whoami', '--replicas=2');
  const pods = await waitFor('2 nc pods on 2 nodes', async () => {
    const out = JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=nc', '-o', 'json')) as { items: { spec: { nodeName?: string }; status: { podIP?: string; phase?: string } }[] };
    const running = out.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return running.length === 2 && new Set(running.map((p) => p.spec.nodeName)).size === 2 && running.sort((x, y) => x.spec.nodeName!.localeCompare(y.spec.nodeName!));
  }, { timeoutMs: 60_000, intervalMs: 500 });
  from = await podNetns(c.name, pods[0].status.podIP!); // on node-1
  to = pods[1].status.podIP!;                           // on node-2
});
after(async () => { await c?.down(); });

/** TCP connect time (one round trip) from the node-1 pod to the node-2 pod, in ms; NaN when it fails. */
async function connectMs(): Promise<number> {
  const out = await inNetns(from, 'curl', ['-s', '-o', '/dev/null', '--max-time', '3', '-w', '%{time_connect}', `http://${to}/`]).catch(() => 'nan');
  return Number(out) * 1000 || Number.NaN;
}

test('netem delay on node-1 is applied by flanneld (etcd rule), told as an Event, and cleared again', async () => {
  const ctx = loadContext(c.name);
  await netem(ctx, 'node-1', { delayMs: 300, seed: 42 });
  const etcd = new Etcd3(ctx.etcdOptions);
  try {
    const rule = JSON.parse((await etcd.get(`/coreos.com/network/chaos/${ctx.nodes[0].underlayIP}`).string())!);
    assert.deepEqual(rule, { seed: 42, peers: { '*': { delayMs: 300 } } });
  } finally { etcd.close(); }
  await waitFor('connect takes ≥ 300 ms', async () => (await connectMs()) >= 290, { timeoutMs: 15_000, intervalMs: 300 });
  const events = JSON.parse(await c.kubectl('get', 'events', '-o', 'json')) as { items: { reason: string; involvedObject: { name: string } }[] };
  assert.ok(events.items.some((e) => e.reason === 'ChaosNetem' && e.involvedObject.name === 'node-1'));
  await clearNetem(ctx, 'node-1');
  await waitFor('connect fast again', async () => (await connectMs()) < 150, { timeoutMs: 15_000, intervalMs: 300 });
  await assert.rejects(netem(ctx, 'node-1', { loss: 2 }), /must be between 0 and 1/);
  await assert.rejects(netem(ctx, 'node-9', { delayMs: 1 }), /no node "node-9"/);
});

test('a split cuts pod traffic between the groups while both nodes stay Ready; heal restores it', async () => {
  const ctx = loadContext(c.name);
  assert.ok(!Number.isNaN(await connectMs()), 'pods reach each other before the split');
  await splitCluster(ctx, ['node-1'], ['node-2']);
  try {
    await waitFor('pod traffic between the groups fails', async () => Number.isNaN(await connectMs()), { timeoutMs: 15_000, intervalMs: 200 });
    const nodes = await c.kubectl('get', 'nodes');
    assert.match(nodes, /node-1\s+Ready/);
    assert.match(nodes, /node-2\s+Ready/);
  } finally {
    await heal(ctx);
  }
  await waitFor('pod traffic flows again', async () => !Number.isNaN(await connectMs()), { timeoutMs: 15_000, intervalMs: 200 });
  await assert.rejects(splitCluster(ctx, ['node-1'], ['node-1']), /in both groups/);
});
