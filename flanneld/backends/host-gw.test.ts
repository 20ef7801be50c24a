import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayCluster } from '../testing/cluster.js';
import { probe, PROBE_PORT } from '../testing/probe.js';
import { waitFor } from '../../lib/testing/wait.js';

test('host-gw backend: routes via the other nodes, pods talk both ways without NAT, routes leave with flanneld', async () => {
  const c = await OverlayCluster.create(2, { Type: 'host-gw' });
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    const bSubnet = b.podIp!.replace(/\.2$/, '.0/24');
    await waitFor('route to b', async () => /via 10\.200\.0\.12 dev eth0/.test(await c.topo.exec(a.ns, 'ip', ['route', 'show', bSubnet])));
    await waitFor('a → b', () => c.topo.ping(a, b));
    assert.equal(await probe(a.podNs!, b.podIp!, PROBE_PORT), `${a.podIp} 200000`);
    assert.equal(await probe(b.podNs!, a.podIp!, PROBE_PORT), `${b.podIp} 200000`);
    const chaos = await fetch(`http://127.0.0.1:${c.procs.get(a.index)!.port}/chaos`);
    assert.equal(chaos.status, 400, 'no userspace datapath, no chaos hooks');
    assert.match((await chaos.json()).message, /chaos hooks need udp or vxlan/);
    // A node behind a router cannot be reached with host-gw: warned about, no route.
    await c.client.put('/coreos.com/network/subnets/10.244.88.0-24').value(JSON.stringify({ PublicIP: '10.99.0.5', BackendType: 'host-gw', BackendData: null }));
    await waitFor('warning about 10.99.0.5', () => /one L2 segment.*10\.99\.0\.5/.test(c.procs.get(a.index)!.logs()));
    assert.equal((await c.topo.exec(a.ns, 'ip', ['route', 'show', '10.244.88.0/24'])).trim(), '');
    await c.procs.get(a.index)!.stop();
    assert.equal((await c.topo.exec(a.ns, 'ip', ['route', 'show', bSubnet])).trim(), '');
  } finally {
    await c.close();
  }
});
