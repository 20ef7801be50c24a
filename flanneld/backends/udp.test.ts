import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';
import { readSubnetEnv } from '../subnet/subnet-env.js';

test('udp backend: flannel0 with the network route, pods talk both ways without NAT, unknown subnet is unreachable at once', async () => {
  const c = await OverlayCluster.create(2, { Type: 'udp' });
  const kids: ReturnType<typeof spawn>[] = [];
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    assert.equal((await readSubnetEnv(c.subnetFile(a))).FLANNEL_MTU, '1472');
    assert.match(await c.topo.exec(a.ns, 'ip', ['route', 'show', '10.244.0.0/16']), /dev flannel0/);
    await waitFor('a → b', () => c.topo.ping(a, b));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`);
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`);
    // A SYN to a subnet nobody leases comes back as ICMP network unreachable.
    const tshark = spawn('ip', ['netns', 'exec', a.podNs!, 'tshark', '-i', 'eth0', '-f', 'icmp', '-c', '1', '-a', 'duration:20',
      '-T', 'fields', '-e', 'icmp.type', '-e', 'icmp.code', '-e', 'ip.src'], { stdio: ['ignore', 'pipe', 'pipe'] });
    kids.push(tshark);
    let out = '', err = '';
    tshark.stdout!.on('data', (d) => { out += d; });
    tshark.stderr!.on('data', (d) => { err += d; });
    const done = new Promise((r) => tshark.once('exit', r));
    await waitFor('tshark capturing', () => err.includes('Capturing on'), { timeoutMs: 15_000 });
    await assert.rejects(probe(a.podNs!, '10.244.250.2', PROBE_PORT, 10, 1500));
    await done;
    assert.equal(out.split('\n')[0], `3\t0\t10.244.250.0,${a.podIp}`);
    assert.match(await c.metrics(a), /flannel_peer_tx_packets_total\{backend="udp",peer="10\.200\.0\.12"\} [1-9]/);
  } finally {
    for (const k of kids) k.kill('SIGKILL');
    await c.close();
  }
});
