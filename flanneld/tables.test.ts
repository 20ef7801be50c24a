/** flanneld's /tables: the routes, neighbours, FDB and lease that send a pod's packet to another node (vxlan). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OverlayCluster } from './testing/cluster.js';
import { waitFor } from '../lib/testing/wait.js';
import type { NodeTables } from './tables.js';

test('GET /tables?dst=<remote pod>: route via flannel.1, the remote VTEP in ARP and FDB, the own lease; bad dst is a 400', async () => {
  const c = await OverlayCluster.create(2, { Type: 'vxlan', VNI: 1 });
  try {
    const [a, b] = c.topo.nodes;
    await c.startAll();
    await waitFor('pod a → pod b', () => c.topo.ping(a, b));
    const url = `http://127.0.0.1:${c.procs.get(a.index)!.port}/tables`;
    const t = await (await fetch(`${url}?dst=${b.podIp}&dst=${b.ip}`)).json() as NodeTables;
    const bGw = b.podIp!.replace(/\.2$/, '.0');
    assert.match(t.routes[b.podIp!], new RegExp(`^${b.podIp!.replace(/\./g, '\\.')} via ${bGw.replace(/\./g, '\\.')} dev flannel\\.1`));
    assert.match(t.routes[b.ip], /dev \S+ src/, 'the underlay route to the remote node');
    assert.equal(t.lease?.publicIP, a.ip);
    assert.equal(t.lease?.backend, 'vxlan');
    assert.match(t.lease!.subnet, /^10\.244\.\d+\.0\/24$/);
    // b's VtepMAC is the neighbour entry of b's subnet and the FDB entry pointing at b's underlay IP.
    const bLease = await (await fetch(`http://127.0.0.1:${c.procs.get(b.index)!.port}/tables`)).json() as NodeTables;
    const mac = bLease.lease!.vtepMAC!;
    assert.ok(t.neigh.some((l) => l.startsWith(`${bGw} dev flannel.1 lladdr ${mac}`)), t.neigh.join('\n'));
    assert.ok(t.fdb.some((l) => l.startsWith(`${mac} dev flannel.1 dst ${b.ip}`)), t.fdb.join('\n'));
    assert.ok(t.addrs.some((l) => / cni0 /.test(l)), 'cni0 is listed with its address');

    const bad = await fetch(`${url}?dst=10.0.0.1;reboot`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /^dst: /);
  } finally {
    await c.close();
  }
});
