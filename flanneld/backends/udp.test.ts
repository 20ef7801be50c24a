import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCapture, type Capture } from '../testing/capture.js';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';
import { readSubnetEnv } from '../subnet/subnet-env.js';

test('udp backend: flannel0 with the network route, pods talk both ways without NAT, unknown subnet is unreachable at once', async () => {
  const c = await OverlayCluster.create(2, { Type: 'udp' });
  const caps: Capture[] = [];
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    assert.equal((await readSubnetEnv(c.subnetFile(a))).FLANNEL_MTU, '1472');
    assert.match(await c.topo.exec(a.ns, 'ip', ['route', 'show', '10.244.0.0/16']), /dev flannel0/);
    await waitFor('a → b', () => c.topo.ping(a, b));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`);
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`);
    // A SYN to a subnet nobody leases comes back as ICMP network unreachable. Leases are random /24s:
    // the one probed must be neither node's (a CI run once found a pod at 10.244.250.2 that way).
    const leased = [a.podIp!, b.podIp!].map((ip) => Number(ip.split('.')[2]));
    const free = [250, 251, 252].find((x) => !leased.includes(x))!;
    const cap = await startCapture(a.podNs!, 'eth0', 'icmp', 1, ['-e', 'icmp.type', '-e', 'icmp.code', '-e', 'ip.src']);
    caps.push(cap);
    await assert.rejects(probe(a.podNs!, `10.244.${free}.2`, PROBE_PORT, 10, 1500));
    assert.equal((await cap.lines())[0], `3\t0\t10.244.${free}.0,${a.podIp}`);
    const m = await c.metrics(a);
    assert.match(m, /flannel_peer_tx_packets_total\{backend="udp",peer="10\.200\.0\.12"\} [1-9]/);
    assert.match(m, /^flannel_io_fast_device\{backend="udp",side="forwarder"\} [1-9]/m, 'plain packets took the native fast path');
    assert.match(m, /^flannel_io_sched_batch\{backend="udp",side="forwarder"\} 1$/m, 'its thread under SCHED_BATCH (the default)');
  } finally {
    for (const k of caps) k.kill();
    await c.close();
  }
});
