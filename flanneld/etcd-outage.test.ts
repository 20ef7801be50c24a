import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayCluster } from './testing/cluster.js';
import { TcpProxy } from './testing/tcp-proxy.js';
import { waitFor } from '../lib/testing/wait.js';

test('etcd unreachable: forwarding goes on with the last known leases; changes made meanwhile are applied once it is back', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1 });
  const url = new URL(c.etcd.endpoint);
  const proxy = new TcpProxy(url.hostname, Number(url.port));
  try {
    await proxy.start();
    const [a, b] = c.topo.nodes;
    const viaProxy = `http://127.0.0.1:${proxy.port}`;
    for (const n of [a, b]) await c.start(n, ['--etcd-endpoints', viaProxy]);
    for (const n of [a, b]) await c.topo.addPod(n, c.subnetFile(n));
    await waitFor('a → b', () => c.topo.ping(a, b));

    await proxy.pause();
    // Give both flanneld time to notice (failed watch, failed list) before checking forwarding.
    await waitFor('a notices etcd is gone', () => /etcd unreachable/.test(c.procs.get(a.index)!.logs()), { timeoutMs: 90_000 });
    assert.equal(await c.topo.ping(a, b), true, 'still forwarding without etcd');
    assert.equal(await c.topo.ping(b, a), true);
    // A node joins while a's etcd connection is down.
    await c.client.put('/coreos.com/network/subnets/10.244.77.0-24').value(JSON.stringify({
      PublicIP: '10.200.0.77', BackendType: 'vxlan', BackendData: { VNI: 1, VtepMAC: '0e:00:00:00:77:77' },
    }));
    await proxy.start();
    await waitFor('a learns the new lease after etcd is back', async () =>
      /10\.244\.77\.0\/24 via 10\.244\.77\.0 dev flannel\.1 onlink/.test(await c.topo.exec(a.ns, 'ip', ['route'])), { timeoutMs: 60_000 });
    assert.equal(await c.topo.ping(a, b), true);
  } finally {
    await c.close();
    await proxy.close();
  }
});
