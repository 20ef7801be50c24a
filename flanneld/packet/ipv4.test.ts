import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIcmpError, buildUdpPacket, decrementTtl, inetChecksum, ipv4Dst, ipv4Src, isIPv4 } from './ipv4.js';

const A = 0x0af40102; // 10.244.1.2
const B = 0x0af40203; // 10.244.2.3

test('built packets carry a valid header checksum and addresses', () => {
  const p = buildUdpPacket(A, B, 1000, 2000, Buffer.from('hi'));
  assert.equal(inetChecksum(p, 0, 20), 0);
  assert.equal(ipv4Src(p, 0), A);
  assert.equal(ipv4Dst(p, 0), B);
  assert.equal(isIPv4(p, 0, p.length), true);
  assert.equal(isIPv4(p, 0, 10), false);
});

test('decrementTtl keeps the checksum valid and refuses TTL 1', () => {
  for (const ttl of [64, 2, 255, 17]) {
    const p = buildUdpPacket(A, B, 1, 2, Buffer.alloc(3), ttl);
    assert.equal(decrementTtl(p, 0), true);
    assert.equal(p[8], ttl - 1);
    assert.equal(inetChecksum(p, 0, 20), 0, `ttl ${ttl}`);
  }
  const last = buildUdpPacket(A, B, 1, 2, Buffer.alloc(3), 1);
  assert.equal(decrementTtl(last, 0), false);
});

test('ICMP errors go back to the source and quote the header', () => {
  const p = buildUdpPacket(A, B, 1, 2, Buffer.alloc(30));
  const icmp = buildIcmpError(0x0af40100, p, 0, p.length, 3, 0);
  assert.equal(ipv4Dst(icmp, 0), A);
  assert.equal(icmp[9], 1);
  assert.equal(icmp[20], 3);
  assert.equal(inetChecksum(icmp, 20, icmp.length), 0);
  assert.equal(icmp.length, 20 + 8 + 28);
});
