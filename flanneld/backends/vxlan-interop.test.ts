import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCapture, type Capture } from '../testing/capture.js';
import { clearChaos, putChaos } from '../chaos-watch.js';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';

test('userspace VXLAN ↔ kernel vxlan: TCP both ways, tshark decodes our packets with VNI 1 and pod addresses', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1 });
  const caps: Capture[] = [];
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll((n) => (n.index === 1 ? ['--vxlan-mode', 'kernel'] : []));
    assert.match(await c.topo.exec(b.ns, 'ip', ['-d', 'link', 'show', 'flannel.1']), /vxlan id 1 local 10\.200\.0\.12 dev eth0 .*dstport 8472 nolearning/);
    assert.match(await c.topo.exec(b.ns, 'bridge', ['fdb', 'show', 'dev', 'flannel.1']), /dst 10\.200\.0\.11 self permanent/);
    // The kernel vxlan over veth leaves the inner checksum to offload; a userspace receiver needs it filled.
    await c.topo.exec(b.ns, 'ethtool', ['-K', 'flannel.1', 'tx', 'off']);

    const cap = await startCapture(a.ns, 'eth0', 'udp dst port 8472 and src host 10.200.0.11', 5,
      ['-d', 'udp.port==8472,vxlan', '-e', 'vxlan.vni', '-e', 'ip.src', '-e', 'ip.dst']);
    caps.push(cap);

    await waitFor('a → b', () => c.topo.ping(a, b));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`);
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`);
    const lines = await cap.lines();
    assert.ok(lines.length >= 1, 'tshark saw nothing');
    for (const l of lines) {
      const [vni, src, dst] = l.split('\t');
      assert.equal(vni, '1');
      assert.equal(src, `10.200.0.11,${a.podIp}`);
      assert.equal(dst, `10.200.0.12,${b.podIp}`);
    }
    // a restarts with a new VtepMAC: the kernel side replaces its neighbour and FDB entries.
    const oldMac = (await c.topo.exec(a.ns, 'cat', ['/sys/class/net/flannel.1/address'])).trim();
    await c.procs.get(a.index)!.kill();
    await c.start(a);
    const newMac = (await c.topo.exec(a.ns, 'cat', ['/sys/class/net/flannel.1/address'])).trim();
    assert.notEqual(newMac, oldMac);
    await waitFor('b uses the new VtepMAC', async () => {
      const fdb = await c.topo.exec(b.ns, 'bridge', ['fdb', 'show', 'dev', 'flannel.1']);
      return fdb.includes(`${newMac} dst 10.200.0.11`) && !fdb.includes(oldMac);
    });
    await waitFor('b → a again', () => c.topo.ping(b, a));
    // b killed in kernel mode leaves flannel.1 behind; restarted in userspace mode it replaces it.
    await c.procs.get(b.index)!.kill();
    await c.topo.exec(b.ns, 'ip', ['link', 'show', 'flannel.1']);
    await c.start(b);
    assert.doesNotMatch(await c.topo.exec(b.ns, 'ip', ['-d', 'link', 'show', 'flannel.1']), /vxlan id/);
    await waitFor('a → b over userspace on both ends', () => c.topo.ping(a, b));
    // SIGTERM: each flanneld deletes its device (the kernel one explicitly, the TAP by closing it).
    for (const n of [a, b]) {
      await c.procs.get(n.index)!.stop();
      await assert.rejects(c.topo.exec(n.ns, 'ip', ['link', 'show', 'flannel.1']), /does not exist/);
    }
  } finally {
    for (const k of caps) k.kill();
    await c.close();
  }
});

const FLOOD = `
const dgram = require('node:dgram');
const [target, bind, count] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
s.bind(0, bind, async () => {
  const frames = [
    Buffer.alloc(3),
    Buffer.from('0800000000000100', 'hex'),
    Buffer.concat([Buffer.from('0800000000000700', 'hex'), Buffer.alloc(60)]),
    Buffer.concat([Buffer.from('0000000000000100', 'hex'), Buffer.alloc(60)]),
    Buffer.alloc(1400, 0xab),
    Buffer.alloc(9000, 0x08),
    Buffer.concat([Buffer.from('0800000000000100', 'hex'), Buffer.alloc(60)]),
  ];
  for (let i = 0; i < Number(count); i++) {
    await new Promise((r) => s.send(frames[i % frames.length], 8472, target, r));
  }
  s.close();
});
`;

test('malformed and foreign datagrams are dropped and counted; chaos drop partitions a peer at run time (HTTP and etcd)', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1 });
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    await waitFor('a → b', () => c.topo.ping(a, b));
    await c.topo.exec(b.ns, 'ip', ['addr', 'add', '10.200.0.99/24', 'dev', 'eth0']);
    await c.topo.exec(b.ns, process.execPath, ['-e', FLOOD, a.ip, b.ip, '3500']);
    await c.topo.exec(b.ns, process.execPath, ['-e', FLOOD, a.ip, '10.200.0.99', '700']);
    const m = await c.metrics(a);
    const val = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(m)?.[1] ?? NaN);
    assert.ok(val('flannel_malformed_packets_total') >= 1400, m); // short, no flag
    assert.ok(val('flannel_foreign_vni_packets_total') >= 500);
    assert.ok(val('flannel_unknown_source_packets_total') >= 100);
    assert.ok(val('flannel_peer_malformed_total') >= 2000);
    assert.equal(c.procs.get(a.index)!.child.exitCode, null, 'still running');
    assert.equal(await c.topo.ping(b, a), true, 'still forwarding');

    const chaosUrl = `http://127.0.0.1:${c.procs.get(a.index)!.port}/chaos`;
    const bad = await fetch(chaosUrl, { method: 'PUT', body: '{"peers":{"10.200.0.12":{"loss":7}}}' });
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).reason, 'Invalid');
    const put = await fetch(chaosUrl, { method: 'PUT', body: JSON.stringify({ seed: 7, peers: { [b.ip]: { drop: true } } }) });
    assert.equal(put.status, 200);
    assert.equal(await c.topo.ping(a, b), false, 'partitioned');
    assert.ok(/flannel_chaos_drops_total\{[^}]*\} [1-9]/.test(await c.metrics(a)));
    // Delay toward b: the SYN and the data each wait 300 ms on the way out of a.
    await fetch(chaosUrl, { method: 'PUT', body: JSON.stringify({ peers: { [b.ip]: { delayMs: 300 } } }) });
    const t0 = Date.now();
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT, 1000), `${a.podIp} 1000`);
    assert.ok(Date.now() - t0 >= 600, `delayed exchange took ${Date.now() - t0} ms`);
    // Loss, duplication, reordering and jitter: TCP still delivers every byte.
    await fetch(chaosUrl, { method: 'PUT', body: JSON.stringify({ seed: 3, peers: { '*': { loss: 0.05, duplicate: 0.05, reorder: 0.1, jitterMs: 2 } } }) });
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT, 300_000, 20_000), `${a.podIp} 300000`);
    assert.equal((await fetch(chaosUrl, { method: 'DELETE' })).status, 200);
    await waitFor('healed', () => c.topo.ping(a, b));
    // The same through etcd, as `kubesim chaos` does: a key for every node, then removed.
    await assert.rejects(putChaos(c.client, '/coreos.com/network', 'all', { peers: { '*': { loss: -1 } } }), /Invalid value/);
    await putChaos(c.client, '/coreos.com/network', 'all', { peers: { '*': { drop: true } } });
    await waitFor('partitioned via etcd', async () => !(await c.topo.ping(b, a)));
    assert.deepEqual(await (await fetch(chaosUrl)).json(), { peers: { '*': { drop: true } } });
    await clearChaos(c.client, '/coreos.com/network', 'all');
    await waitFor('healed via etcd', () => c.topo.ping(b, a));
  } finally {
    await c.close();
  }
});
