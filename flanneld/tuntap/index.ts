/**
 * kubesim's TUN/TAP addon, in the spirit of node-tuntap2: `new Tun()` / `new Tap()` with
 * name, mtu, ipv4, isUp, mac (TAP) and release(); plus PacketIO, a batched non-blocking
 * packet mover (uv_poll + recvmmsg/sendmmsg or read/write) used by the flannel datapath.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Counters kept by the native side of a PacketIO. */
export interface PacketIOStats {
  rxPackets: number; rxBytes: number; rxWakeups: number; rxTruncated: number;
  txPackets: number; txBytes: number; txQueued: number; txDropped: number; txErrors: number; txEagain: number;
  pending: number;
}

/** A batched packet mover over one non-blocking fd; the slots are shared memory with C++. */
export interface PacketIO {
  /** Received packets of the current callback: slot i starts at i * slotSize. */
  readonly rxBuf: Buffer;
  /** Length of each received packet; -1 = truncated (larger than the slot). */
  readonly rxLen: Int32Array;
  /** UDP source address (host byte order) and port of each received datagram. */
  readonly rxAddr: Uint32Array;
  readonly rxPort: Uint16Array;
  /** Packets to send: fill slots 0..n-1 then call flush(n). */
  readonly txBuf: Buffer;
  readonly txLen: Int32Array;
  readonly txAddr: Uint32Array;
  readonly txPort: Uint16Array;
  /** UDP GRO: segment size of each received buffer (0 = one datagram). */
  readonly rxGso: Uint16Array;
  /** UDP GSO: segment size of each buffer to send (0 = one datagram). */
  readonly txGso: Uint16Array;
  readonly slotSize: number;
  readonly batch: number;
  /** Starts reading: onPackets(count) is called once per batch. */
  start(): void;
  /** Stops reading (pending writes still drain). */
  stop(): void;
  /** Sends tx slots 0..n-1; returns how many left at once (the rest are queued in order). */
  flush(n: number): number;
  /** Stops polling and closes the fd. */
  close(): void;
  stats(): PacketIOStats;
}

/** A peer of the native fast path: key = VtepMAC as a 48-bit number (vxlan) or subnet base (udp). */
export interface FastRoute { key: number; ip: number; port: number }

/** Counters of a Forwarder (packets). */
export interface ForwarderStats {
  fastDevice: number; fastUdp: number; slowDevice: number; slowUdp: number; txErrors: number; txDropped: number;
  /** Batches found while busy-polling (each a wake-up saved) and the microseconds spent busy-polling. */
  spinHits: number; spinMicros: number;
  /**
   * 1 while the thread runs under SCHED_BATCH; schedBatchFallbacks: times it went back to
   * SCHED_OTHER for a cool-down because it waited too long for a busy CPU.
   */
  schedBatch: number; schedBatchFallbacks: number;
}

/**
 * Reads a device PacketIO and a UDP PacketIO on a native thread and forwards the plain case
 * (no offload super-packet, known peer, valid header) without JavaScript; any other batch goes
 * to the PacketIOs' callbacks as without it, in order. See src/forwarder.h.
 */
export interface Forwarder {
  start(): void;
  /** Stops the thread; the PacketIOs stay open (closing one of them also stops it). */
  close(): void;
  /** Replaces the peer table: where device packets go, and which sources are accepted. */
  setPeers(routes: FastRoute[], sources: number[]): void;
  /** Off: every batch goes to JavaScript (e.g. while chaos rules are active). */
  setFast(on: boolean): void;
  /** Per-peer counters of the fast path since the last call: [ip, txPackets, txBytes, rxPackets, rxBytes] * n. */
  collect(): Float64Array;
  stats(): ForwarderStats;
}

/** Options of a Forwarder: the encapsulation it does. */
export interface ForwarderOptions {
  kind: 'vxlan' | 'udp'; vni?: number; subnetLen?: number; offload: boolean;
  /**
   * Busy-polling after a batch forwarded natively: the thread keeps polling this long (µs, 0..100000)
   * before it sleeps again, so the reply of an exchange finds it awake (no wake-up). Default 0.
   */
  spinMicros?: number;
  /**
   * Run the thread under SCHED_BATCH: its wake-ups do not preempt the task that sent the packet,
   * so the next wake-up of the chain stays on that CPU instead of waking an idle one; back to
   * SCHED_OTHER for a while when it waits too long behind busy tasks (see src/forwarder.h). Default false.
   */
  schedBatch?: boolean;
}

/** Options of a PacketIO. */
export interface PacketIOOptions { slotSize?: number; batch?: number; maxPending?: number }

interface Native {
  openTun(name: string, opts: { tap?: boolean; vnetHdr?: boolean; offload?: boolean; netns?: string }): { fd: number; name: string };
  openUdp(port: number, opts: { netns?: string; bindAddress?: string; gro?: boolean; sndbuf?: number }): number;
  ifConfig(name: string, netns: string, opts: { mtu?: number; up?: boolean; ipv4?: string; prefix?: number; mac?: string }): void;
  ifInfo(name: string, netns: string): { up: boolean; mtu?: number; index?: number; mac?: string; ipv4?: string; prefix?: number };
  closeFd(fd: number): void;
  csumPartial(buf: Buffer, start: number, end: number, initial?: number): number;
  /**
   * Copies src[srcStart, srcEnd) to dst[dstStart] and returns the folded ones' complement sum of
   * the bytes; with seg, dstStride and sums: chunk k of seg bytes goes to dstStart + k * dstStride,
   * its sum to sums[k], and the number of chunks is returned.
   */
  copySum(src: Buffer, srcStart: number, srcEnd: number, dst: Buffer, dstStart: number, seg?: number, dstStride?: number, sums?: Uint32Array): number;
  PacketIO: new (fd: number, kind: 'tun' | 'udp', opts: PacketIOOptions, onPackets: (count: number) => void) => PacketIO;
  Forwarder: new (device: PacketIO, udp: PacketIO, opts: ForwarderOptions) => Forwarder;
}

function loadNative(): Native {
  const here = dirname(fileURLToPath(import.meta.url));
  // Source tree (tsx) and compiled tree (dist/flanneld/tuntap) both find the node-gyp output.
  const candidates = [
    join(here, 'build/Release/tuntap.node'),
    resolve(here, '../../../flanneld/tuntap/build/Release/tuntap.node'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`tuntap addon not built (run npm run native); looked in ${candidates.join(', ')}`);
  return createRequire(import.meta.url)(found) as Native;
}

/** The raw native functions. */
export const native: Native = loadNative();

/** Resolves a netns name (as `ip netns` uses) or a path to a path; '' = the current namespace. */
export function netnsPath(netns?: string): string {
  if (!netns) return '';
  return netns.startsWith('/') ? netns : `/var/run/netns/${netns}`;
}

/** Options to open a TUN/TAP device. */
export interface TunOptions {
  /** Device name; the kernel picks tunN/tapN when empty. */
  name?: string;
  /** Network namespace (name or path) to create the device in; default: the current one. */
  netns?: string;
  /** Prefix every packet with a struct virtio_net_hdr (IFF_VNET_HDR). */
  vnetHdr?: boolean;
  /** vnetHdr plus checksum and TCPv4 segmentation offload: the kernel hands over 64 KB super-packets. */
  offload?: boolean;
}

/** A TUN device (layer 3); closing the fd (release) deletes it. */
export class Tun {
  /** The device's file descriptor (non-blocking). */
  readonly fd: number;
  /** The device's name as the kernel gave it. */
  readonly name: string;
  /** Opened with offloads (packets carry a virtio_net_hdr). */
  readonly offload: boolean;
  protected readonly ns: string;
  private released = false;

  constructor(opts: TunOptions = {}, tap = false) {
    this.ns = netnsPath(opts.netns);
    const r = native.openTun(opts.name ?? '', { tap, vnetHdr: opts.vnetHdr, offload: opts.offload, netns: this.ns });
    this.fd = r.fd;
    this.name = r.name;
    this.offload = !!opts.offload;
  }

  get mtu(): number { return native.ifInfo(this.name, this.ns).mtu ?? 0; }
  set mtu(v: number) { native.ifConfig(this.name, this.ns, { mtu: v }); }
  get isUp(): boolean { return native.ifInfo(this.name, this.ns).up; }
  set isUp(v: boolean) { native.ifConfig(this.name, this.ns, { up: v }); }
  /** IPv4 address with prefix, e.g. "10.244.1.0/16"; '' when none. */
  get ipv4(): string {
    const i = native.ifInfo(this.name, this.ns);
    return i.ipv4 ? `${i.ipv4}/${i.prefix ?? 32}` : '';
  }
  set ipv4(v: string) {
    const [ip, len] = v.split('/');
    native.ifConfig(this.name, this.ns, { ipv4: ip, prefix: len === undefined ? 32 : Number(len) });
  }

  /** A PacketIO over this device's fd; it owns the fd from then on (its close() releases the device). */
  packetIO(onPackets: (count: number) => void, opts: PacketIOOptions = {}): PacketIO {
    this.released = true;
    return new native.PacketIO(this.fd, 'tun', opts, onPackets);
  }

  /** Closes the fd, which removes the device. */
  release(): void {
    if (this.released) return;
    this.released = true;
    native.closeFd(this.fd);
  }
}

/** A TAP device (layer 2, Ethernet frames). */
export class Tap extends Tun {
  constructor(opts: TunOptions = {}) { super(opts, true); }
  get mac(): string { return native.ifInfo(this.name, this.ns).mac ?? ''; }
  set mac(v: string) { native.ifConfig(this.name, this.ns, { mac: v }); }
}

/** Opens a non-blocking UDP socket bound to port (in netns) and wraps it in a PacketIO. */
export function openUdpIO(port: number, onPackets: (count: number) => void,
  opts: PacketIOOptions & { netns?: string; bindAddress?: string; gro?: boolean; sndbuf?: number } = {}): PacketIO {
  const fd = native.openUdp(port, { netns: netnsPath(opts.netns), bindAddress: opts.bindAddress, gro: opts.gro, sndbuf: opts.sndbuf });
  try {
    return new native.PacketIO(fd, 'udp', opts, onPackets);
  } catch (err) {
    native.closeFd(fd);
    throw err;
  }
}

/** IPv4 dotted quad → unsigned 32-bit number (host order), as PacketIO's address arrays hold. */
export function ipToInt(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) throw new Error(`bad IPv4 address ${ip}`);
  let v = 0;
  for (const s of p) {
    const n = Number(s);
    if (!/^\d{1,3}$/.test(s) || n > 255) throw new Error(`bad IPv4 address ${ip}`);
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** Unsigned 32-bit number → IPv4 dotted quad. */
export function intToIp(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}
