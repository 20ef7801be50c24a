import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpCodec } from './udp-codec.js';
import { TunnelStats } from './stats.js';
import { buildUdpPacket, inetChecksum, ipv4Dst } from '../packet/ipv4.js';

const A = 0x0af40102, B = 0x0af40203;

function setup() {
  const stats = new TunnelStats();
  const replies: Buffer[] = [];
  const c = new UdpCodec(24, stats, (p) => replies.push(p));
  const peer = { ip: 0x0ac8000c, ipStr: '10.200.0.12', port: 8285, stats: stats.peer('10.200.0.12') };
  c.bySubnet.set(0x0af40200, peer);
  c.byIp.set(peer.ip, peer);
  return { c, stats, replies, peer };
}

test('encap: peer by destination subnet, TTL decremented with a valid checksum', () => {
  const { c, peer } = setup();
  const p = buildUdpPacket(A, B, 1, 2, Buffer.from('x'), 64);
  assert.equal(c.encap(p, 0, p.length), peer);
  assert.equal(p[8], 63);
  assert.equal(inetChecksum(p, 0, 20), 0);
});

test('unknown subnet → ICMP net unreachable to the sender; TTL 1 → time exceeded; no ICMP about ICMP', () => {
  const { c, stats, replies } = setup();
  const p = buildUdpPacket(A, 0x0af40902, 1, 2, Buffer.from('x'));
  assert.equal(c.encap(p, 0, p.length), undefined);
  assert.equal(replies.length, 1);
  assert.equal(ipv4Dst(replies[0], 0), A);
  assert.equal(replies[0].readUInt32BE(12), 0x0af40900, 'from the unreachable subnet\'s gateway address');
  assert.deepEqual([replies[0][20], replies[0][21]], [3, 0]);
  const dying = buildUdpPacket(A, B, 1, 2, Buffer.from('x'), 1);
  assert.equal(c.encap(dying, 0, dying.length), undefined);
  assert.equal(replies[1][20], 11);
  const icmpAboutIcmp = Buffer.from(replies[0]);
  icmpAboutIcmp.writeUInt32BE(0x0af40902, 16); // an ICMP error headed to an unknown subnet
  c.encap(icmpAboutIcmp, 0, icmpAboutIcmp.length);
  assert.equal(replies.length, 2);
  assert.deepEqual([stats.noRoute, stats.ttlExpired], [2, 1]);
});

test('decap: non-IPv4, short and unknown-source datagrams are dropped and counted', () => {
  const { c, stats, peer } = setup();
  const p = buildUdpPacket(B, A, 1, 2, Buffer.from('hello'));
  assert.deepEqual(c.decap(p, 0, p.length, peer.ip), { peer, off: 0, len: p.length });
  assert.equal(c.decap(Buffer.alloc(40, 0x60), 0, 40, peer.ip), undefined);
  assert.equal(c.decap(p, 0, 25, peer.ip), undefined);
  assert.equal(c.decap(p, 0, p.length, 0x01020304), undefined);
  assert.deepEqual([stats.malformed, stats.unknownSource, peer.stats.malformed], [2, 1, 2]);
});
