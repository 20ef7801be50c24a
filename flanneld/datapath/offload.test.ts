import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpCoalescer, VNET_HDR_LEN, completeChecksum, readVnetHdr, segmentTcp4 } from './offload.js';
import { inetChecksum } from '../packet/ipv4.js';
import { native } from '../tuntap/index.js';

/** An Ethernet + IPv4 + TCP (12 bytes of options) frame with `payload` bytes; checksums as a NIC would want. */
function tcpFrame(payload: Buffer, seq: number, flags = 0x18, l3 = 14): Buffer {
  const thl = 32;
  const f = Buffer.alloc(l3 + 20 + thl + payload.length);
  if (l3) f.writeUInt16BE(0x0800, 12);
  const ip = l3;
  f[ip] = 0x45; f.writeUInt16BE(20 + thl + payload.length, ip + 2); f.writeUInt16BE(0x1234, ip + 4); f.writeUInt16BE(0x4000, ip + 6);
  f[ip + 8] = 64; f[ip + 9] = 6; f.writeUInt32BE(0x0af40102, ip + 12); f.writeUInt32BE(0x0af40203, ip + 16);
  f.writeUInt16BE(inetChecksum(f, ip, ip + 20), ip + 10);
  const t = ip + 20;
  f.writeUInt16BE(40000, t); f.writeUInt16BE(5201, t + 2); f.writeUInt32BE(seq >>> 0, t + 4); f.writeUInt32BE(777, t + 8);
  f[t + 12] = (thl / 4) << 4; f[t + 13] = flags; f.writeUInt16BE(512, t + 14);
  f.fill(1, t + 20, t + thl); // options (NOPs), identical in every segment
  payload.copy(f, t + thl);
  f.writeUInt16BE(tcpSum(f, ip), t + 16);
  return f;
}

function tcpSum(f: Buffer, ip: number): number {
  const len = f.readUInt16BE(ip + 2) - 20;
  const pseudo = Buffer.alloc(12);
  f.copy(pseudo, 0, ip + 12, ip + 20); pseudo[9] = 6; pseudo.writeUInt16BE(len, 10);
  const copy = Buffer.from(f.subarray(ip + 20, ip + 20 + len)); copy.writeUInt16BE(0, 16);
  return inetChecksum(Buffer.concat([pseudo, copy]), 0, 12 + len);
}

const tcpValid = (f: Buffer, ip: number): boolean => tcpSum(f, ip) === f.readUInt16BE(ip + 36);

test('segmentTcp4: MSS-sized segments with fixed lengths, ids, sequence numbers, flags and valid checksums', () => {
  const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 255));
  const big = tcpFrame(payload, 1000, 0x19); // ACK PSH FIN
  const out = Buffer.alloc(20000);
  out.write('HDRHDRHD', 0); // an 8-byte tunnel header to repeat
  const s = segmentTcp4(big, 0, big.length, 14, 1398, out, 0, 8, out.length)!;
  assert.equal(s.count, 4);
  assert.equal(s.stride, 8 + 14 + 20 + 32 + 1398);
  const got: Buffer[] = [];
  for (let k = 0, o = 0; k < s.count; k++) {
    const seg = out.subarray(o, Math.min(s.total, o + s.stride));
    assert.equal(seg.subarray(0, 8).toString(), 'HDRHDRHD');
    const f = seg.subarray(8);
    assert.equal(inetChecksum(f, 14, 34), 0, 'ip checksum');
    assert.ok(tcpValid(f, 14), `tcp checksum of segment ${k}`);
    assert.equal(f.readUInt32BE(38), 1000 + k * 1398);
    assert.equal(f.readUInt16BE(18), 0x1234 + k);
    assert.equal(f[47], k === 3 ? 0x19 : 0x10);
    got.push(Buffer.from(f.subarray(66)));
    o += s.stride;
  }
  assert.deepEqual(Buffer.concat(got), payload);
});

test('completeChecksum fills a partial checksum', () => {
  const f = tcpFrame(Buffer.from('hello world'), 5);
  const good = f.readUInt16BE(50);
  // What the kernel hands over with NEEDS_CSUM: the pseudo-header sum, not inverted.
  const len = f.length - 34;
  const pseudo = Buffer.alloc(12); f.copy(pseudo, 0, 26, 34); pseudo[9] = 6; pseudo.writeUInt16BE(len, 10);
  f.writeUInt16BE(~inetChecksum(pseudo, 0, 12) & 0xffff, 50);
  assert.equal(completeChecksum(f, 0, f.length, { flags: 1, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 34, csumOffset: 16 }), true);
  assert.equal(f.readUInt16BE(50), good);
});

test('TcpCoalescer merges back-to-back segments of a flow into one GSO packet, leaves the rest alone', () => {
  const slotSize = 70000, batch = 4;
  const txBuf = Buffer.alloc(slotSize * batch), txLen = new Int32Array(batch);
  const flushed: Buffer[] = [];
  const dev = { txBuf, txLen, slotSize, batch, flush(n: number) { for (let i = 0; i < n; i++) flushed.push(Buffer.from(txBuf.subarray(i * slotSize, i * slotSize + txLen[i]))); return n; } };
  const co = new TcpCoalescer(dev);
  const payload = Buffer.from(Array.from({ length: 1398 * 3 + 100 }, (_, i) => (i * 7) & 255));
  for (let k = 0; k < 4; k++) {
    const part = payload.subarray(k * 1398, Math.min(payload.length, (k + 1) * 1398));
    const f = tcpFrame(part, 1000 + k * 1398, k === 3 ? 0x18 : 0x10);
    co.add(f, 0, f.length, 14);
  }
  const other = tcpFrame(Buffer.from('x'), 99999, 0x10);
  co.add(other, 0, other.length, 14);
  const next = tcpFrame(Buffer.from('y'), 100000, 0x10);
  next.writeUInt32BE(778, 42); // another ack number: must not merge
  next.writeUInt16BE(0, 50); next.writeUInt16BE(tcpSum(next, 14), 50);
  co.add(next, 0, next.length, 14);
  co.finish();
  assert.equal(flushed.length, 3);
  assert.deepEqual(flushed[2].subarray(VNET_HDR_LEN), next);
  const h = readVnetHdr(flushed[0], 0);
  assert.deepEqual([h.flags, h.gsoType, h.hdrLen, h.gsoSize, h.csumStart, h.csumOffset], [1, 1, 66, 1398, 34, 16]);
  const f = flushed[0].subarray(VNET_HDR_LEN);
  assert.equal(f.readUInt16BE(16), f.length - 14);
  assert.equal(inetChecksum(f, 14, 34), 0);
  assert.deepEqual(f.subarray(66), payload);
  assert.equal(f[47], 0x18, 'PSH of the last segment kept');
  completeChecksum(f, 0, f.length, h);
  assert.ok(tcpValid(f, 14), 'finishing the partial checksum gives a valid one');
  assert.equal(readVnetHdr(flushed[1], 0).gsoType, 0);
  assert.deepEqual(flushed[1].subarray(VNET_HDR_LEN), other);
});

test('TcpCoalescer keeps several flows open: interleaved streams still merge', () => {
  const slotSize = 70000, batch = 8;
  const txBuf = Buffer.alloc(slotSize * batch), txLen = new Int32Array(batch);
  const flushed: Buffer[] = [];
  const dev = { txBuf, txLen, slotSize, batch, flush(n: number) { for (let i = 0; i < n; i++) flushed.push(Buffer.from(txBuf.subarray(i * slotSize, i * slotSize + txLen[i]))); return n; } };
  const co = new TcpCoalescer(dev);
  for (let k = 0; k < 3; k++) {
    for (const port of [40000, 40001]) {
      const f = tcpFrame(Buffer.alloc(1398, port & 255), 5000 + k * 1398, 0x10);
      f.writeUInt16BE(port, 34); f.writeUInt16BE(0, 50); f.writeUInt16BE(tcpSum(f, 14), 50);
      co.add(f, 0, f.length, 14);
    }
  }
  co.finish();
  assert.equal(flushed.length, 2);
  for (const [i, port] of [40000, 40001].entries()) {
    const f = flushed[i].subarray(VNET_HDR_LEN);
    assert.equal(readVnetHdr(flushed[i], 0).gsoType, 1);
    assert.equal(f.readUInt16BE(34), port);
    assert.equal(f.length, 66 + 3 * 1398);
  }
});

test('segmentTcp4: odd-sized payloads (an odd last segment) keep valid checksums and every byte', () => {
  for (const size of [1, 3, 1399, 2797, 4097]) {
    const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + 3) & 255));
    const big = tcpFrame(payload, 0xfffffff0, 0x18); // sequence numbers wrap
    const out = Buffer.alloc(20000);
    const s = segmentTcp4(big, 0, big.length, 14, 1398, out, 0, 0, out.length)!;
    const got: Buffer[] = [];
    for (let k = 0, o = 0; k < s.count; k++, o += s.stride) {
      const f = out.subarray(o, Math.min(s.total, o + s.stride));
      assert.ok(tcpValid(f, 14), `size ${size} segment ${k}`);
      got.push(Buffer.from(f.subarray(66)));
    }
    assert.deepEqual(Buffer.concat(got), payload, `size ${size}`);
  }
});

test('native copySum copies and sums like csumPartial, also for overlapping ranges', () => {
  const src = Buffer.from(Array.from({ length: 301 }, (_, i) => (i * 13 + 5) & 255));
  for (const [a, b] of [[0, 301], [1, 300], [7, 8], [10, 10]]) {
    const dst = Buffer.alloc(400);
    const sum = native.copySum(src, a, b, dst, 3);
    assert.deepEqual(dst.subarray(3, 3 + b - a), src.subarray(a, b));
    assert.equal(sum, native.csumPartial(src, a, b, 0));
  }
  const same = Buffer.from(src);
  const expect = native.csumPartial(same, 0, 200, 0);
  assert.equal(native.copySum(same, 0, 200, same, 50), expect);
  assert.deepEqual(same.subarray(50, 250), src.subarray(0, 200));
  assert.throws(() => native.copySum(src, 0, 301, Buffer.alloc(10), 0), /outside/);
  // Chunks: 301 bytes in chunks of 100 to a stride of 120, one sum per chunk.
  const dst = Buffer.alloc(400), sums = new Uint32Array(4);
  assert.equal(native.copySum(src, 0, 301, dst, 5, 100, 120, sums), 4);
  for (let k = 0; k < 4; k++) {
    const end = Math.min(301, (k + 1) * 100);
    assert.deepEqual(dst.subarray(5 + k * 120, 5 + k * 120 + end - k * 100), src.subarray(k * 100, end));
    assert.equal(sums[k], native.csumPartial(src, k * 100, end, 0));
  }
  assert.throws(() => native.copySum(src, 0, 301, Buffer.alloc(300), 0, 100, 120, sums), /outside/);
  assert.throws(() => native.copySum(src, 0, 301, dst, 0, 100, 120, new Uint32Array(2)), /slot per chunk/);
});
