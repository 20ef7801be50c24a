import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderMetrics, TunnelStats } from '../../flanneld/datapath/stats.js';
import { parseFlannelMetrics, peerRates, watchNetwork, type NodeNetwork } from './network.js';

function stats(tx: number, drops: number): TunnelStats {
  const s = new TunnelStats();
  const p = s.peer('10.200.0.12');
  p.txPackets = tx; p.txBytes = tx * 100; p.rxPackets = tx / 2; p.rxBytes = tx * 50; p.drops = drops;
  s.chaosDrops = 3;
  return s;
}

test('parses what flanneld renders: backend, per-peer counters, chaos drops', () => {
  const c = parseFlannelMetrics(`# HELP flannel_ready x\nflannel_ready 1\n${renderMetrics(stats(1000, 4), 'vxlan', { tap: { reads: 5 } })}`);
  assert.equal(c.backend, 'vxlan');
  assert.equal(c.chaosDrops, 3);
  assert.deepEqual(c.peers['10.200.0.12'], { txPackets: 1000, txBytes: 100000, rxPackets: 500, rxBytes: 50000, drops: 4 });
  assert.deepEqual(parseFlannelMetrics('garbage\n{}\n').peers, {});
});

test('rates between readings; a counter reset (flanneld restart) counts from zero, never negative', () => {
  const a = parseFlannelMetrics(renderMetrics(stats(1000, 4), 'udp'));
  const b = parseFlannelMetrics(renderMetrics(stats(3000, 6), 'udp'));
  const [r] = peerRates(a, b, 2);
  assert.deepEqual([r.peer, r.txPps, r.rxPps, r.txBps, r.dropsPerSec, r.drops], ['10.200.0.12', 1000, 500, 100000, 1, 6]);
  const [reset] = peerRates(b, a, 1);
  assert.equal(reset.txPps, 1000);
  assert.equal(peerRates(undefined, a, 0)[0].txPps, 0);
});

test('watchNetwork polls each node endpoint, reports unreachable ones, stops on abort', async (t) => {
  let tx = 0;
  const srv = createServer((_req, res) => { tx += 500; res.end(renderMetrics(stats(tx, 0), 'vxlan')); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics`;
  const ac = new AbortController();
  t.after(() => ac.abort());
  const seen: NodeNetwork[][] = [];
  const done = watchNetwork(() => ({ n1: url, n2: 'http://127.0.0.1:1/metrics' }), (v) => { seen.push(v); if (seen.length === 2) ac.abort(); }, ac.signal, 100);
  await done;
  assert.equal(seen.length, 2);
  const [n1, n2] = seen[1];
  assert.equal(n1.ok, true);
  assert.ok(n1.peers[0].txPps > 0, JSON.stringify(n1));
  assert.equal(n2.ok, false);
  assert.ok(n2.error);
});
