import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';
import { readSubnetEnv } from '../subnet/subnet-env.js';

test('vxlan userspace (with and without offloads): pods talk across nodes without NAT; a later node joins; restart keeps the subnet; expiry removes routes', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1 });
  try {
    const [a, b] = c.topo.nodes;
    // b runs the one-packet-per-syscall datapath (no offloads): both kinds must interoperate;
    // and its fast-path thread under SCHED_OTHER instead of the default SCHED_BATCH.
    await c.startAll((n) => (n.index === 1 ? ['--subnet-lease-ttl', '3', '--offload', 'off', '--sched-batch', 'off'] : []));
    assert.equal((await readSubnetEnv(c.subnetFile(a))).FLANNEL_MTU, '1450');
    await waitFor('pod a → pod b ping', () => c.topo.ping(a, b));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`, 'b sees a\'s pod IP');
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`, 'a sees b\'s pod IP');
    // Plain packets (pings, ACKs) crossed both daemons on the native fast path, with and without offloads.
    for (const n of [a, b]) {
      const m = await c.metrics(n);
      assert.match(m, /^flannel_io_fast_device\{backend="vxlan",side="forwarder"\} [1-9]/m, `node ${n.index}`);
      assert.match(m, /^flannel_io_fast_udp\{backend="vxlan",side="forwarder"\} [1-9]/m, `node ${n.index}`);
      assert.match(m, new RegExp(`^flannel_io_sched_batch\\{backend="vxlan",side="forwarder"\\} ${n.index === 0 ? 1 : 0}$`, 'm'), `node ${n.index}`);
    }
    // The kernel side, programmed as flannel does.
    const dev = await c.topo.exec(a.ns, 'ip', ['-d', 'link', 'show', 'flannel.1']);
    assert.match(dev, /mtu 1450/);
    const bSubnet = b.podIp!.replace(/\.2$/, '.0');
    assert.match(await c.topo.exec(a.ns, 'ip', ['route', 'show', `${bSubnet}/24`]), new RegExp(`via ${bSubnet.replace(/\./g, '\\.')} dev flannel\\.1 onlink`));
    assert.match(await c.topo.exec(a.ns, 'ip', ['neigh', 'show', bSubnet, 'dev', 'flannel.1']), /PERMANENT/);

    // A node added later becomes reachable from the others.
    const d = await c.topo.addNode();
    await c.start(d);
    await c.topo.addPod(d, c.subnetFile(d));
    await waitFor('pod a → new pod d', () => c.topo.ping(a, d));

    // Killed and restarted: same subnet (from subnet.env), traffic flows again.
    const before = (await readSubnetEnv(c.subnetFile(a))).FLANNEL_SUBNET;
    await c.procs.get(a.index)!.kill();
    await c.start(a);
    assert.equal((await readSubnetEnv(c.subnetFile(a))).FLANNEL_SUBNET, before);
    await waitFor('pod d → pod a after restart', () => c.topo.ping(d, a));

    // b dies without cleanup; its 3 s lease expires and the others drop its route.
    await c.procs.get(b.index)!.kill();
    await waitFor('route to b removed on a', async () =>
      (await c.topo.exec(a.ns, 'ip', ['route', 'show', `${bSubnet}/24`])).trim() === '', { timeoutMs: 20_000 });
  } finally {
    await c.close();
  }
});
