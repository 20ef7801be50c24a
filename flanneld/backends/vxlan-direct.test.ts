import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';

test('vxlan DirectRouting: a node on the same segment gets a plain route, one behind a router keeps VXLAN', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1, DirectRouting: true });
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    const bSubnet = b.podIp!.replace(/\.2$/, '.0/24');
    await waitFor('direct route to b', async () => /via 10\.200\.0\.12 dev eth0/.test(await c.topo.exec(a.ns, 'ip', ['route', 'show', bSubnet])));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`);
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`);
    assert.doesNotMatch(await c.metrics(a), /flannel_peer_tx_packets_total\{[^}]*\} [1-9]/, 'nothing went through the tunnel');
    await c.client.put('/coreos.com/network/subnets/10.244.89.0-24').value(JSON.stringify({
      PublicIP: '10.99.0.5', BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '0e:00:00:00:89:89' },
    }));
    await waitFor('vxlan route to the far node', async () =>
      /10\.244\.89\.0\/24 via 10\.244\.89\.0 dev flannel\.1 onlink/.test(await c.topo.exec(a.ns, 'ip', ['route'])));
    await c.procs.get(a.index)!.stop();
    assert.equal((await c.topo.exec(a.ns, 'ip', ['route', 'show', bSubnet])).trim(), '', 'direct route removed on exit');
  } finally {
    await c.close();
  }
});
