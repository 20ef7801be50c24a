/**
 * Seed labs on the pod network and the event chain (seeds 000, 001), on a 2-node cluster with the
 * VXLAN backend: pod-to-pod across nodes without NAT, same-node traffic staying on cni0, the
 * underlay packet decoded by tshark as VXLAN with the pod IPs inside, and `kubectl get events
 * --watch` showing the chain of a Deployment create.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upCluster, podNetns, inNetns, type E2ECluster } from './helpers.js';
import { applyYaml, waitRunning, nodeAddresses, underlayBridge, type PodRow } from './lab-helpers.js';
import { waitFor } from '../../lib/testing/wait.js';
import { run } from '../../lib/testing/netns.js';

let c: E2ECluster;
let a1: PodRow, a2: PodRow, b1: PodRow;
const work = mkdtempSync(join(tmpdir(), 'ksimt-net-'));
before(async () => {
  c = await upCluster(2);
  const pod = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    lab: net
spec:
  nodeName: ${node}
  containers:
  - name: whoami
    image: traefik/whoami
---
`;
  await applyYaml(c, 'pods.yaml', pod('a1', 'node-1') + pod('a2', 'node-1') + pod('b1', 'node-2'));
  const pods = await waitRunning(c, 'lab=net', 3);
  [a1, a2, b1] = ['a1', 'a2', 'b1'].map((n) => pods.find((p) => p.name === n)!);
});
after(async () => { await c?.down(); rmSync(work, { recursive: true, force: true }); });

/** Starts tcpdump (in `netns`, or the root namespace when empty) writing to a file; stop() ends it. */
async function capture(netns: string, iface: string, filter: string, file: string): Promise<{ stop(): Promise<void> }> {
  // -Z root: Debian's tcpdump drops to user tcpdump, which cannot write into our private temp dir;
  // --immediate-mode: without it packets still in the capture buffer are lost when we stop it.
  const args = ['tcpdump', '-Z', 'root', '--immediate-mode', '-i', iface, '-U', '-n', '-w', file, filter];
  const p = netns ? spawn('ip', ['netns', 'exec', netns, ...args]) : spawn(args[0], args.slice(1));
  let err = '';
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  try {
    await waitFor(`tcpdump listening on ${iface}`, () => err.includes('listening on') || (p.exitCode !== null && Promise.reject(new Error(err))), { timeoutMs: 10_000, intervalMs: 100 });
  } catch (e) {
    p.kill('SIGKILL');
    throw e;
  }
  return { async stop() { p.kill('SIGINT'); await exited; } };
}

/** tshark fields of a capture file, VXLAN decoded on flannel's port 8472. */
async function decode(file: string, fields: string[]): Promise<string[][]> {
  const out = await run('tshark', ['-r', file, '-d', 'udp.port==8472,vxlan', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
  return out.split('\n').filter((l) => l.trim()).map((l) => l.split('\t'));
}

test('cross-node pod-to-pod without NAT: the receiver sees the sender\'s pod IP (seed 001)', async () => {
  assert.notEqual(a1.node, b1.node);
  const body = await inNetns(await podNetns(c.name, a1.ip), 'curl', ['-s', '--max-time', '5', `http://${b1.ip}/`]);
  assert.match(body, /Hostname: b1/);
  assert.match(body, new RegExp(`RemoteAddr: ${a1.ip.replace(/\./g, '\\.')}:`));
});

test('the underlay carries the cross-node packet as VXLAN (VNI 1, UDP 8472) with the pod IPs inside, decoded by tshark (seed 000)', async () => {
  const addrs = await nodeAddresses(c);
  const bridge = underlayBridge(addrs.get('node-1')!);
  const file = join(work, 'vxlan.pcap');
  const cap = await capture('', bridge, 'udp port 8472', file);
  try {
    await inNetns(await podNetns(c.name, a1.ip), 'curl', ['-s', '--max-time', '5', `http://${b1.ip}/`]);
  } finally {
    await cap.stop();
  }
  const rows = await decode(file, ['vxlan.vni', 'ip.src', 'ip.dst']);
  const inner = rows.find((r) => r[1] === `${addrs.get('node-1')},${a1.ip}` && r[2] === `${addrs.get('node-2')},${b1.ip}`);
  assert.ok(inner, `a packet node-1→node-2 (outer) carrying ${a1.ip}→${b1.ip} (inner):\n${rows.map((r) => r.join(' ')).join('\n')}`);
  assert.equal(inner[0], '1', 'VNI 1');
});

test('same-node pod-to-pod goes over cni0 and never through flannel.1 (seed 000)', async () => {
  const nodeNs = `ksim-${c.name}-${a1.node}`;
  const filter = `host ${a1.ip} and host ${a2.ip}`;
  const onBridge = await capture(nodeNs, 'cni0', filter, join(work, 'cni0.pcap'));
  const onTunnel = await capture(nodeNs, 'flannel.1', filter, join(work, 'flannel.pcap'));
  try {
    const body = await inNetns(await podNetns(c.name, a1.ip), 'curl', ['-s', '--max-time', '5', `http://${a2.ip}/`]);
    assert.match(body, new RegExp(`RemoteAddr: ${a1.ip.replace(/\./g, '\\.')}:`));
  } finally {
    await onBridge.stop();
    await onTunnel.stop();
  }
  assert.ok((await decode(join(work, 'cni0.pcap'), ['ip.src'])).length > 0, 'the exchange is seen on cni0');
  assert.equal((await decode(join(work, 'flannel.pcap'), ['ip.src'])).length, 0, 'nothing on flannel.1');
  const route = await inNetns(nodeNs, 'ip', ['route', 'get', a2.ip]);
  assert.match(route, /dev cni0/);
});

/** The REASON column of a `kubectl get events` line (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE). */
function reason(line: string): string { return line.trim().split(/\s+/)[2] ?? ''; }

test('kubectl get events --watch during a Deployment create shows ScalingReplicaSet → SuccessfulCreate → Scheduled → Pulled → Created → Started (seed 001)', async () => {
  const w = spawn('kubectl', ['get', 'events', '--watch'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
  let out = '';
  w.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    // The watch lists the existing events (node start-up) first; creating after that keeps live order.
    await waitFor('events watch printing', () => out.length > 0, { timeoutMs: 15_000, intervalMs: 100 }).catch(() => undefined);
    await c.kubectl('create', 'deployment', 'kubia', '--image=luksa/kubia', '--replicas=1');
    const chain = ['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Pulled', 'Created', 'Started'];
    const lines = await waitFor('the whole chain for kubia', () => {
      const l = out.split('\n').filter((x) => /\bkubia/.test(x));
      return chain.every((r) => l.some((x) => reason(x) === r)) && l;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const first = chain.map((r) => lines.findIndex((x) => reason(x) === r));
    const [scaling, created, scheduled, pulled, containerCreated, started] = first;
    // Events from different components are written independently (as in Kubernetes), so the RS's
    // SuccessfulCreate and the scheduler's Scheduled may arrive either way round; every causal
    // step is ordered: the Deployment scales first, the kubelet pulls only after both.
    const order = `events in the seed's causal order:\n${lines.join('\n')}`;
    assert.ok(scaling < created && scaling < scheduled, order);
    assert.ok(created < pulled && scheduled < pulled, order);
    assert.ok(pulled < containerCreated && containerCreated < started, order);
    assert.match(lines[first[0]], /deployment\/kubia\s+Scaled up replica set kubia-/);
    assert.match(lines[first[2]], /pod\/kubia-\S+\s+Successfully assigned default\/kubia-\S+ to node-\d/);
  } finally {
    w.kill();
  }
});
