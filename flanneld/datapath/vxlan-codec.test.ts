import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VxlanCodec, macToNumber, writeVxlanHeader } from './vxlan-codec.js';
import { TunnelStats } from './stats.js';

const peer = (stats: TunnelStats) => ({ ip: 0x0ac8000c, ipStr: '10.200.0.12', port: 8472, stats: stats.peer('10.200.0.12') });

test('encap: FDB lookup by inner destination MAC, RFC 7348 header with the VNI', () => {
  const stats = new TunnelStats();
  const c = new VxlanCodec(1, stats);
  const p = peer(stats);
  c.byMac.set(macToNumber('0e:00:00:00:00:02'), p);
  const frame = Buffer.alloc(60);
  Buffer.from('0e0000000002', 'hex').copy(frame, 0);
  const out = Buffer.alloc(100);
  assert.equal(c.encap(frame, 0, 60, out, 0), p);
  assert.equal(out.subarray(0, 8).toString('hex'), '0800000000000100');
  frame[0] = 0xff; // broadcast / unknown: dropped and counted
  assert.equal(c.encap(frame, 0, 60, out, 0), undefined);
  assert.equal(stats.noRoute, 1);
});

test('decap: malformed, foreign VNI and unknown sources are dropped and counted', () => {
  const stats = new TunnelStats();
  const c = new VxlanCodec(1, stats);
  const p = peer(stats);
  c.byIp.set(p.ip, p);
  const good = Buffer.alloc(8 + 60);
  writeVxlanHeader(good, 0, 1);
  assert.deepEqual(c.decap(good, 0, good.length, p.ip), { peer: p, off: 8, len: 60 });
  assert.equal(c.decap(good, 0, 10, p.ip), undefined); // truncated
  const noFlag = Buffer.from(good); noFlag[0] = 0;
  assert.equal(c.decap(noFlag, 0, noFlag.length, p.ip), undefined);
  const foreign = Buffer.from(good); writeVxlanHeader(foreign, 0, 7);
  assert.equal(c.decap(foreign, 0, foreign.length, p.ip), undefined);
  assert.equal(c.decap(good, 0, good.length, 0x01020304), undefined);
  assert.deepEqual([stats.malformed, stats.foreignVni, stats.unknownSource, p.stats.malformed], [2, 1, 1, 3]);
});
