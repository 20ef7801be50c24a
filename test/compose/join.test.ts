/**
 * `kubesim join` across two underlay networks on one machine. Four namespaces stand in for hosts:
 * `cp` (etcd + control plane) and node host A on underlay 1, node host B on underlay 2, and a
 * router between the two networks (no default route anywhere, nothing in the root namespace).
 * `kubesim join` runs inside A and inside B as it would on a real host; a pod on A then talks
 * to a pod on B through the VXLAN overlay carried over the routed underlay.
 */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, createVeth, createBridge, attachToBridge, addAddress, ipIn, execIn, spawnIn, uniqueName } from '../../lib/testing/netns.js';
import { namespacesWithPrefix, removeNamespace } from '../../cli/cluster/network.js';
import { waitFor } from '../../lib/testing/wait.js';

const DIST = join(import.meta.dirname, '..', '..');
const CLI = join(DIST, 'cli', 'main.js');

it('joins nodes from two underlay networks and carries pod traffic between them', { timeout: 8 * 60_000 }, async () => {
  const id = uniqueName('');
  const net = `10.${210 + Math.floor(Math.random() * 10)}`;
  const [cp, r, a, b] = ['c', 'r', 'a', 'b'].map((x) => `ksimt-${x}${id}`);
  const nodeA = `ksimt-a-${id}`;
  const nodeB = `ksimt-b-${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'ksimt-join-'));
  const procs: ChildProcess[] = [];
  const joined: { ns: string; node: string }[] = [];
  after(async () => {
    for (const j of joined) await execIn(j.ns, process.execPath, [CLI, 'join', '--leave', '--node-name', j.node, '--dir', join(dir, j.node)], { timeoutMs: 120_000 }).catch(() => undefined);
    for (const p of procs) p.kill('SIGTERM');
    await waitFor('control plane exited', () => procs.every((p) => p.exitCode !== null || p.signalCode !== null), { timeoutMs: 10_000 }).catch(() => procs.forEach((p) => p.kill('SIGKILL')));
    for (const j of joined) for (const ns of await namespacesWithPrefix(`ksim-join-${j.node}`)) await removeNamespace(ns);
    for (const ns of [a, b, cp, r]) await deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  // Underlay 1 (net.1.0/24): a bridge in the router with cp and A; underlay 2 (net.2.0/24): router ↔ B.
  await createNetns(r, { forward: true });
  for (const ns of [cp, a, b]) await createNetns(ns);
  await createBridge(r, 'u1', `${net}.1.1/24`);
  for (const [ns, ip] of [[cp, 2], [a, 11]] as const) {
    await createVeth('eth0', ns, `${ns === cp ? 'c' : 'a'}${id}`, r);
    await attachToBridge(r, `${ns === cp ? 'c' : 'a'}${id}`, 'u1');
    await addAddress(ns, 'eth0', `${net}.1.${ip}/24`);
    await ipIn(ns, 'route', 'add', `${net}.2.0/24`, 'via', `${net}.1.1`);
  }
  await createVeth('eth0', b, 'u2', r);
  await addAddress(r, 'u2', `${net}.2.1/24`);
  await addAddress(b, 'eth0', `${net}.2.12/24`);
  await ipIn(b, 'route', 'add', `${net}.1.0/24`, 'via', `${net}.2.1`);

  // Control plane in cp.
  const cpIP = `${net}.1.2`;
  const etcdURL = `http://${cpIP}:2379`;
  const api = `http://${cpIP}:8080`;
  const start = (args: string[], cmd = process.execPath) => { const p = spawnIn(cp, cmd, args, { stdio: 'ignore' }); procs.push(p); return p; };
  start(['--name', 'cp', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', etcdURL, '--advertise-client-urls', etcdURL,
    '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380', '--initial-cluster', 'cp=http://127.0.0.1:2380'], 'etcd');
  await waitFor('etcd', () => execIn(cp, 'etcdctl', ['--endpoints', etcdURL, 'endpoint', 'health']).then(() => true), { timeoutMs: 30_000, intervalMs: 300 });
  await execIn(cp, 'etcdctl', ['--endpoints', etcdURL, 'put', '/coreos.com/network/config', '{"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan"}}']);
  start([join(DIST, 'apiserver', 'main.js'), '--etcd-servers', etcdURL, '--bind-address', cpIP, '--port', '8080', '--grpc-port', '8081']);
  const kubectl = (...args: string[]) => execIn(cp, 'kubectl', ['--server', api, ...args], { timeoutMs: 60_000 });
  await waitFor('apiserver', () => kubectl('get', '--raw', '/readyz').then(() => true), { timeoutMs: 60_000, intervalMs: 500 });
  const common = ['--master', api, '--grpc-server', `${cpIP}:8081`];
  start([join(DIST, 'scheduler', 'main.js'), ...common, '--port', '-1']);
  start([join(DIST, 'controller-manager', 'main.js'), ...common]);

  // Each "host" joins by the control plane's address, as on a real second machine.
  for (const [ns, node] of [[a, nodeA], [b, nodeB]]) {
    joined.push({ ns, node });
    await execIn(ns, process.execPath, [CLI, 'join', '--apiserver', api, '--etcd', etcdURL, '--node-name', node, '--dir', join(dir, node), '--timeout', '120'], { timeoutMs: 180_000 });
  }
  const nodes = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')) as { items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[] };
  const addr = (n: string) => nodes.items.find((x) => x.metadata.name === n)?.status.addresses.find((x) => x.type === 'InternalIP')?.address;
  assert.equal(addr(nodeA), `${net}.1.11`);
  assert.equal(addr(nodeB), `${net}.2.12`);

  await kubectl('run', 'server', '--image=traefik/whoami', '--restart=Never', `--overrides={"spec":{"nodeName":"${nodeB}"}}`);
  await kubectl('run', 'client', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${nodeA}"}}`, '--', 'sleep', '3600');
  await kubectl('wait', '--for=condition=Ready', 'pod/server', 'pod/client', '--timeout=90s');
  const serverIP = (await kubectl('get', 'pod', 'server', '-o', 'jsonpath={.status.podIP}')).trim();
  const out = await waitFor('client → server across the routed underlay', async () => {
    const o = await kubectl('exec', 'client', '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${serverIP} 80`);
    return o.includes('Hostname: server') && o;
  }, { timeoutMs: 30_000, intervalMs: 1000 });
  assert.match(out, /Hostname: server/);
});
