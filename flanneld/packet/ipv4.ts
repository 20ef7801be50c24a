/** IPv4 header helpers for the userspace datapath (checksums, TTL, small builders for tests and ICMP). */

/** RFC 1071 Internet checksum over buf[start, end). */
export function inetChecksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < end) sum += buf[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Destination address (host order) of the IPv4 packet at off. */
export function ipv4Dst(buf: Uint8Array, off: number): number {
  return ((buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19]) >>> 0;
}

/** Source address (host order) of the IPv4 packet at off. */
export function ipv4Src(buf: Uint8Array, off: number): number {
  return ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
}

/** True when buf[off, off+len) starts with a plausible IPv4 header. */
export function isIPv4(buf: Uint8Array, off: number, len: number): boolean {
  return len >= 20 && (buf[off] >> 4) === 4 && (buf[off] & 15) >= 5 && (buf[off] & 15) * 4 <= len;
}

/**
 * Decrements the TTL in place with an incremental checksum update (RFC 1624), as flannel's
 * proxy does before forwarding; returns false when the packet must be dropped (TTL hit 0).
 */
export function decrementTtl(buf: Uint8Array, off: number): boolean {
  if (buf[off + 8] <= 1) return false;
  buf[off + 8] -= 1;
  // TTL is the high byte of word 4: the header sum drops by 0x0100, so the checksum grows by it.
  let sum = ((buf[off + 10] << 8) | buf[off + 11]) + 0x0100;
  sum = (sum & 0xffff) + (sum >>> 16);
  buf[off + 10] = sum >> 8;
  buf[off + 11] = sum & 0xff;
  return true;
}

function writeIp(buf: Buffer, off: number, v: number): void { buf.writeUInt32BE(v >>> 0, off); }

/** Builds an IPv4 header (20 bytes, checksum filled) for a payload of payloadLen bytes. */
export function ipv4Header(src: number, dst: number, proto: number, payloadLen: number, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payloadLen, 2);
  h.writeUInt16BE(0x4000, 6); // don't fragment
  h[8] = ttl;
  h[9] = proto;
  writeIp(h, 12, src);
  writeIp(h, 16, dst);
  h.writeUInt16BE(inetChecksum(h, 0, 20), 10);
  return h;
}

/** Builds an IPv4/UDP packet (UDP checksum 0 = none, valid for IPv4). */
export function buildUdpPacket(src: number, dst: number, sport: number, dport: number, payload: Buffer, ttl = 64): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([ipv4Header(src, dst, 17, 8 + payload.length, ttl), udp, payload]);
}

/**
 * ICMP error (type/code) about the IPv4 packet at buf[off, off+len), sent from `from` back to
 * its source: the IP header plus the first 8 payload bytes are quoted, as RFC 792 asks.
 */
export function buildIcmpError(from: number, buf: Uint8Array, off: number, len: number, type: number, code: number): Buffer {
  const ihl = (buf[off] & 15) * 4;
  const quoted = Buffer.from(buf.subarray(off, off + Math.min(len, ihl + 8)));
  const icmp = Buffer.alloc(8 + quoted.length);
  icmp[0] = type;
  icmp[1] = code;
  quoted.copy(icmp, 8);
  icmp.writeUInt16BE(inetChecksum(icmp, 0, icmp.length), 2);
  return Buffer.concat([ipv4Header(from, ipv4Src(buf, off), 1, icmp.length), icmp]);
}
