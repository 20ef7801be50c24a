/**
 * Userspace TCP segmentation and coalescing for TUN/TAP devices opened with IFF_VNET_HDR and
 * offloads (as wireguard-go does): the kernel hands over 64 KB TCP super-packets, which are cut
 * here into MTU-sized segments with their own headers and checksums (the wire stays at the
 * normal MTU); on the way in, consecutive segments of one flow are merged back into one
 * super-packet that the kernel accepts as GSO. One self-contained algorithm, kept together.
 */

import { native } from '../tuntap/index.js';

/** Size of struct virtio_net_hdr (no mergeable buffers). */
export const VNET_HDR_LEN = 10;
const NEEDS_CSUM = 1;
const GSO_TCPV4 = 1;

/** The fields of a virtio_net_hdr (little endian on these machines). */
export interface VnetHdr { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number }

/** Reads the virtio_net_hdr at buf[off]. */
export function readVnetHdr(buf: Buffer, off: number): VnetHdr {
  return {
    flags: buf[off], gsoType: buf[off + 1], hdrLen: buf.readUInt16LE(off + 2), gsoSize: buf.readUInt16LE(off + 4),
    csumStart: buf.readUInt16LE(off + 6), csumOffset: buf.readUInt16LE(off + 8),
  };
}

/** GSO segment size of a TCP-over-IPv4 super-packet whose virtio_net_hdr is at buf[off]; 0 = not one (no object made: per-packet path). */
export function tcp4GsoSize(buf: Buffer, off: number): number {
  return (buf[off + 1] & 0x7f) === GSO_TCPV4 ? buf.readUInt16LE(off + 4) : 0;
}

/** Does the virtio_net_hdr at buf[off] leave a checksum for us to fill? */
export function vnetNeedsCsum(buf: Buffer, off: number): boolean { return (buf[off] & NEEDS_CSUM) !== 0; }

/** Writes a virtio_net_hdr saying "plain packet, checksums are complete". */
export function writePlainVnetHdr(buf: Buffer, off: number): void { buf.fill(0, off, off + VNET_HDR_LEN); }

function sum16(buf: Buffer, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

// Read once: a property load on the addon's exports object per segment is measurable.
const { csumPartial, copySum } = native;

/** Ones' complement sum of a long range, natively (the per-byte work); headers stay in JS. */
const sumBytes = (buf: Buffer, start: number, end: number, acc: number): number =>
  (end - start > 64 ? csumPartial(buf, start, end, fold(acc)) : sum16(buf, start, end, acc));

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Fills a partial checksum as the kernel asks: ones' complement over [csumStart, end), stored at csumStart+csumOffset. */
export function completeChecksum(buf: Buffer, frameOff: number, frameLen: number, h: VnetHdr): boolean {
  const start = frameOff + h.csumStart, at = start + h.csumOffset;
  if (h.csumStart >= frameLen || h.csumStart + h.csumOffset + 2 > frameLen) return false;
  const c = ~fold(sumBytes(buf, start, frameOff + frameLen, 0)) & 0xffff;
  buf.writeUInt16BE(c === 0 ? 0xffff : c, at);
  return true;
}

function pseudoSum(buf: Buffer, ip: number, tcpLen: number): number {
  return sum16(buf, ip + 12, ip + 20, 0) + 6 + tcpLen;
}

function ipChecksum(buf: Buffer, ip: number): void {
  buf.writeUInt16BE(0, ip + 10);
  buf.writeUInt16BE(~fold(sum16(buf, ip, ip + (buf[ip] & 15) * 4, 0)) & 0xffff, ip + 10);
}

/** Per-segment payload sums filled by the native copy (reused: one super-packet at a time). */
let payloadSums = new Uint32Array(64);

/** Result of segmenting: `count` segments of `stride` bytes each (the last may be shorter), `total` bytes. */
export interface Segments { count: number; stride: number; total: number }

/**
 * Cuts the TCP/IPv4 super-packet frame = buf[off, off+len) (IP header at off+l3) into segments
 * of mss payload bytes, each written to out as [prefix (hl bytes copied from out[outOff])][frame
 * headers][payload] back to back, with IP length/id/checksum, TCP seq/flags/checksum fixed.
 */
export function segmentTcp4(buf: Buffer, off: number, len: number, l3: number, mss: number,
  out: Buffer, outOff: number, hl: number, outEnd: number): Segments | undefined {
  const ip = off + l3;
  if ((buf[ip] >> 4) !== 4 || buf[ip + 9] !== 6) return undefined;
  const ihl = (buf[ip] & 15) * 4, tcp = ip + ihl, thl = (buf[tcp + 12] >> 4) * 4;
  const hdrs = l3 + ihl + thl;
  const payload = len - hdrs;
  if (payload <= 0 || mss <= 0) return undefined;
  const count = Math.ceil(payload / mss);
  const stride = hl + hdrs + mss;
  if (outOff + hl + hdrs * count + payload + hl * (count - 1) > outEnd) return undefined;
  const id0 = buf.readUInt16BE(ip + 4), seq0 = buf.readUInt32BE(tcp + 4), flags0 = buf[tcp + 13];
  // Every payload is copied to its place and summed natively in one call; the TCP header (a
  // multiple of 4 bytes, so the payload's 16-bit words stay aligned) is added once it is final.
  if (payloadSums.length < count) payloadSums = new Uint32Array(count * 2);
  copySum(buf, off + hdrs, off + len, out, outOff + hl + hdrs, mss, stride, payloadSums);
  let o = outOff;
  for (let k = 0; k < count; k++) {
    const pOff = k * mss, pLen = Math.min(mss, payload - pOff);
    if (k > 0) out.copy(out, o, outOff, outOff + hl); // same tunnel header for every segment
    buf.copy(out, o + hl, off, off + hdrs);
    const payloadSum = payloadSums[k];
    const sip = o + hl + l3, stcp = sip + ihl;
    out.writeUInt16BE(ihl + thl + pLen, sip + 2);
    out.writeUInt16BE((id0 + k) & 0xffff, sip + 4);
    ipChecksum(out, sip);
    out.writeUInt32BE((seq0 + pOff) >>> 0, stcp + 4);
    let f = flags0;
    if (k > 0) f &= ~0x80; // CWR only on the first
    if (k < count - 1) f &= ~0x09; // FIN and PSH only on the last
    out[stcp + 13] = f;
    out.writeUInt16BE(0, stcp + 16);
    const c = ~fold(sum16(out, stcp, stcp + thl, pseudoSum(out, sip, thl + pLen)) + payloadSum) & 0xffff;
    out.writeUInt16BE(c, stcp + 16);
    o += hl + hdrs + pLen;
  }
  return { count, stride, total: o - outOff };
}

/** Where the coalescer writes: a device's tx slots ([vnet hdr][frame] each). */
export interface CoalesceTarget { txBuf: Buffer; txLen: Int32Array; slotSize: number; batch: number; flush(n: number): number }

const MAX_SUPER = 65535;

/** Byte-wise equality of short header ranges (Buffer.compare costs more than it saves here). */
function same(a: Buffer, ao: number, b: Buffer, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** An open run of merged segments: its slot, header sizes, the next sequence number and the MSS. */
interface Run { slot: number; l3: number; hdrs: number; nextSeq: number; mss: number; segs: number }

/** Flows merged at the same time, as GRO keeps several flows open (multi-stream traffic interleaves). */
const MAX_RUNS = 8;

/**
 * Merges consecutive TCP segments of a flow (same addresses, ports, ack, window, options,
 * TTL/TOS; sequence numbers back to back; same size, a shorter one ends the run) into one
 * super-packet with a GSO virtio_net_hdr, as the kernel's GRO would; several flows at once.
 * Anything else is written as a plain packet. Call add() per frame, then finish() per batch.
 */
export class TcpCoalescer {
  private n = 0;
  private runs: Run[] = [];
  /** Super-packets made (for counters). */
  merged = 0;

  constructor(private readonly dev: CoalesceTarget) {}

  /** Adds the frame buf[off, off+len) whose IPv4 header is at off+l3. */
  add(buf: Buffer, off: number, len: number, l3: number): void {
    if (len + VNET_HDR_LEN > this.dev.slotSize) return;
    const startable = this.startable(buf, off, len, l3);
    const r = this.runOf(buf, off, l3);
    if (r >= 0) {
      if (startable && this.tryMerge(this.runs[r], buf, off, len, l3)) return;
      this.closeRun(r); // keeps the flow in order: what follows goes after this frame
    }
    if (this.n === this.dev.batch) this.finish();
    const slot = this.n * this.dev.slotSize;
    writePlainVnetHdr(this.dev.txBuf, slot);
    buf.copy(this.dev.txBuf, slot + VNET_HDR_LEN, off, off + len);
    this.dev.txLen[this.n] = VNET_HDR_LEN + len;
    const ip = off + l3, tcp = ip + 20;
    if (startable && (buf[tcp + 13] & 0x08) === 0) { // PSH: deliver now, nothing to merge with
      if (this.runs.length === MAX_RUNS) this.closeRun(0);
      const hdrs = l3 + 20 + (buf[tcp + 12] >> 4) * 4, mss = len - hdrs;
      this.runs.push({ slot: this.n, l3, hdrs, mss, nextSeq: (buf.readUInt32BE(tcp + 4) + mss) >>> 0, segs: 1 });
    }
    this.n++;
  }

  /** Index of the open run of this frame's flow (IPv4 addresses and TCP ports), or -1. */
  private runOf(buf: Buffer, off: number, l3: number): number {
    const ip = off + l3;
    if (this.runs.length === 0 || buf[ip] !== 0x45 || buf[ip + 9] !== 6) return -1;
    const dst = this.dev.txBuf;
    for (let r = 0; r < this.runs.length; r++) {
      const run = this.runs[r];
      const sip = run.slot * this.dev.slotSize + VNET_HDR_LEN + run.l3;
      if (run.l3 === l3 && same(buf, ip + 12, dst, sip + 12, 8) && same(buf, ip + 20, dst, sip + 20, 4)) return r;
    }
    return -1;
  }

  private startable(buf: Buffer, off: number, len: number, l3: number): boolean {
    const ip = off + l3;
    if (len < l3 + 40 || buf[ip] !== 0x45 || buf[ip + 9] !== 6) return false;
    if ((buf.readUInt16BE(ip + 6) & 0x3fff) !== 0) return false; // fragment
    if (buf.readUInt16BE(ip + 2) !== len - l3) return false;
    const tcp = ip + 20, thl = (buf[tcp + 12] >> 4) * 4;
    const flags = buf[tcp + 13];
    return (flags & 0x10) !== 0 && (flags & 0x27) === 0 && len - l3 - 20 - thl > 0; // ACK, no SYN/FIN/RST/URG, has data
  }

  private tryMerge(run: Run, buf: Buffer, off: number, len: number, l3: number): boolean {
    const dst = this.dev.txBuf, s = run.slot * this.dev.slotSize + VNET_HDR_LEN;
    const curLen = this.dev.txLen[run.slot] - VNET_HDR_LEN;
    const plen = len - run.hdrs;
    if (plen > run.mss || curLen + plen > MAX_SUPER + l3) return false;
    const ip = off + l3, tcp = ip + 20, sip = s + l3, stcp = sip + 20;
    if (l3 + 20 + (buf[tcp + 12] >> 4) * 4 !== run.hdrs) return false;
    if (buf.readUInt32BE(tcp + 4) !== run.nextSeq) return false;
    // Everything a receiver would compare: ack, window, options, TTL, TOS, flags but PSH.
    if (buf[ip + 1] !== dst[sip + 1] || buf[ip + 8] !== dst[sip + 8]) return false;
    if (!same(buf, tcp + 8, dst, stcp + 8, 4) || !same(buf, tcp + 14, dst, stcp + 14, 2)) return false;
    if (!same(buf, tcp + 20, dst, stcp + 20, run.hdrs - l3 - 40)) return false;
    if ((buf[tcp + 13] & ~0x08) !== (dst[stcp + 13] & ~0x08)) return false;
    buf.copy(dst, s + curLen, off + run.hdrs, off + len);
    this.dev.txLen[run.slot] += plen;
    run.nextSeq = (run.nextSeq + plen) >>> 0;
    run.segs++;
    const psh = (buf[tcp + 13] & 0x08) !== 0;
    if (psh) dst[stcp + 13] |= 0x08;
    if (plen < run.mss || psh) this.closeRun(this.runs.indexOf(run));
    return true;
  }

  /** Ends a run: a single segment stays plain; a merged one gets its GSO header. */
  private closeRun(r: number): void {
    const run = this.runs[r];
    this.runs.splice(r, 1);
    if (run.segs < 2) return;
    this.merged++;
    const slot = run.slot * this.dev.slotSize, dst = this.dev.txBuf;
    const sip = slot + VNET_HDR_LEN + run.l3, stcp = sip + 20;
    const ipLen = this.dev.txLen[run.slot] - VNET_HDR_LEN - run.l3;
    dst.writeUInt16BE(ipLen, sip + 2);
    ipChecksum(dst, sip);
    // CHECKSUM_PARTIAL: the TCP checksum field holds the pseudo-header sum, the kernel finishes it.
    dst.writeUInt16BE(fold(pseudoSum(dst, sip, ipLen - 20)), stcp + 16);
    dst[slot] = NEEDS_CSUM;
    dst[slot + 1] = GSO_TCPV4;
    dst.writeUInt16LE(run.hdrs, slot + 2);
    dst.writeUInt16LE(run.mss, slot + 4);
    dst.writeUInt16LE(run.l3 + 20, slot + 6);
    dst.writeUInt16LE(16, slot + 8);
  }

  /** Closes every run and writes everything gathered so far to the device. */
  finish(): void {
    while (this.runs.length > 0) this.closeRun(this.runs.length - 1);
    if (this.n > 0) this.dev.flush(this.n);
    this.n = 0;
  }
}
