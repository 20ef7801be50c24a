import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { upCluster, type E2ECluster } from '../e2e/helpers.js';
import { addNode, removeNode } from '../../cli/commands/node.js';
import { loadContext } from '../../cli/chaos/context.js';
import { tracePath } from '../../cli/chaos/trace.js';
import { run } from '../../lib/testing/netns.js';
import { waitFor } from '../../lib/testing/wait.js';

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

async function leaseOf(ip: string): Promise<string | undefined> {
  const etcd = new Etcd3(loadContext(c.name).etcdOptions);
  try {
    const all = await etcd.getAll().prefix('/coreos.com/network/subnets/').strings();
    return Object.entries(all).find(([, v]) => (JSON.parse(v) as { PublicIP: string }).PublicIP === ip)?.[0].split('/').pop()!.replace('-', '/');
  } finally { etcd.close(); }
}

async function applyDaemonSet(): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds-probe' },
    spec: { selector: { matchLabels: { app: 'ds-probe' } }, template: { metadata: { labels: { app: 'ds-probe' } }, spec: { containers: [{ name: 'c', image: 'traefik/whoami' }] } } },
  });
  const file = `/tmp/ksimt-ds-${c.name}.json`;
  writeFileSync(file, manifest);
  try { await c.kubectl('apply', '-f', file); } finally { rmSync(file, { force: true }); }
}

test('node add: the new node is Ready with a subnet lease and a DaemonSet pod, the others route to it; node remove undoes it all', async () => {
  await applyDaemonSet();
  await addNode(c.name, 'node-3', 60_000);
  const ctx = loadContext(c.name);
  const n3 = ctx.nodes.find((n) => n.name === 'node-3')!;
  assert.ok(n3, 'node-3 is in cluster.json');
  assert.match(await c.kubectl('get', 'node', 'node-3'), /node-3\s+Ready/);
  const subnet = await leaseOf(n3.underlayIP);
  assert.ok(subnet, 'node-3 holds a flannel lease');
  await waitFor('node-1 routes node-3\'s subnet over flannel.1', async () => (await run('ip', ['-n', ctx.nodes[0].netns, 'route', 'show', subnet!])).includes('flannel.1'), { timeoutMs: 15_000, intervalMs: 200 });
  await waitFor('a DaemonSet pod Running on node-3', async () => {
    const out = JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=ds-probe', '-o', 'json')) as { items: { spec: { nodeName?: string }; status: { phase?: string } }[] };
    return out.items.some((p) => p.spec.nodeName === 'node-3' && p.status.phase === 'Running');
  }, { timeoutMs: 60_000, intervalMs: 500 });
  await assert.rejects(addNode(c.name, 'node-3'), /already exists/);
  await assert.rejects(addNode(c.name, 'Bad_Name'), /invalid node name/);

  await removeNode(c.name, 'node-3');
  assert.equal(loadContext(c.name).nodes.some((n) => n.name === 'node-3'), false);
  assert.equal(await leaseOf(n3.underlayIP), undefined, 'lease released');
  await assert.rejects(c.kubectl('get', 'node', 'node-3'), /NotFound|not found/);
  const left = (await run('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(n3.netns));
  assert.deepEqual(left, []);
});

test('trace shows the path across the overlay from one pod to a pod on the other node', async () => {
  await c.kubectl('create', 'deployment', 'tr', '--image=traefik/whoami', '--replicas=2');
  const pods = await waitFor('2 tr pods on 2 nodes', async () => {
    const out = JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=tr', '-o', 'json')) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status: { podIP?: string; phase?: string } }[] };
    const running = out.items.filter((p) => p.status.phase === 'Running' && p.status.podIP);
    return running.length === 2 && new Set(running.map((p) => p.spec.nodeName)).size === 2 && running;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  const [a, b] = pods;
  const hops = await tracePath(loadContext(c.name), a.metadata.name, b.metadata.name);
  const text = hops.map((h) => `${h.where}: ${h.detail}`).join('\n');
  assert.match(hops[0].where, new RegExp(`pod default/${a.metadata.name}`));
  assert.ok(hops.some((h) => /flannel\.1 \(VXLAN encapsulation\)/.test(h.where) && /outer UDP 8472 to 10\.200\.\d+\.1[12]/.test(h.detail)), text);
  assert.ok(hops.some((h) => h.where === 'underlay' && / dev eth0 /.test(h.detail)), text);
  assert.ok(hops.some((h) => new RegExp(`${b.spec.nodeName} flannel\\.1 \\(decapsulation\\)`).test(h.where) && /dev cni0/.test(h.detail)), text);
  assert.match(hops.at(-1)!.where, new RegExp(`pod default/${b.metadata.name}`));
  await assert.rejects(tracePath(loadContext(c.name), 'no-such-pod', b.metadata.name), /no running pod "no-such-pod"/);
});
