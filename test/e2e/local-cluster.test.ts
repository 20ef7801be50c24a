import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upCluster, podNetns, inNetns, type E2ECluster } from './helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { run } from '../../lib/testing/netns.js';

let c: E2ECluster;
before(async () => { c = await upCluster(2); });
after(async () => { await c?.down(); });

interface PodRow { name: string; ip: string; node: string; phase: string }
async function pods(selector: string): Promise<PodRow[]> {
  const out = JSON.parse(await c.kubectl('get', 'pods', '-l', selector, '-o', 'json')) as { items: { metadata: { name: string }; status: { podIP?: string; phase?: string }; spec: { nodeName?: string } }[] };
  return out.items.map((p) => ({ name: p.metadata.name, ip: p.status.podIP ?? '', node: p.spec.nodeName ?? '', phase: p.status.phase ?? '' }));
}

test('both nodes are Ready', async () => {
  const out = await c.kubectl('get', 'nodes');
  assert.match(out, /node-1\s+Ready/);
  assert.match(out, /node-2\s+Ready/);
});

test('whoami pods on two nodes reach each other across the overlay without NAT', async () => {
  await c.kubectl('create', 'deployment', 'whoami', '--image=traefik/whoami', '--replicas=2');
  const running = await waitFor('2 whoami pods Running on 2 nodes', async () => {
    const p = await pods('app=whoami');
    return p.length === 2 && p.every((x) => x.phase === 'Running' && x.ip) && new Set(p.map((x) => x.node)).size === 2 && p;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  const [a, b] = running;
  const ns = await podNetns(c.name, a.ip);
  const body = await inNetns(ns, 'curl', ['-s', '--max-time', '5', `http://${b.ip}/`]);
  assert.match(body, new RegExp(`Hostname: ${b.name}`));
  assert.match(body, new RegExp(`RemoteAddr: ${a.ip.replace(/\./g, '\\.')}:`), 'the receiver sees the sender pod IP (no NAT)');
});

test('kubesim down leaves no namespace, link or process behind', async () => {
  const name = c.name;
  await c.down();
  const left = (await run('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(`ksim-${name}-`));
  assert.deepEqual(left, []);
  const ps = await run('ps', ['-eo', 'args']);
  assert.ok(!ps.includes(`/var/lib/kubesim/${name}/`), 'no process of the cluster remains');
});
