/**
 * The userspace datapath shared by the udp and vxlan backends: packets read in batches from
 * the device (TUN/TAP) are given a header by a codec and sent in batches over the UDP socket;
 * datagrams read in batches are checked by the codec and written to the device. Chaos rules
 * apply on the way to the peers; counters live in TunnelStats.
 */
import { intToIp, native, type FastRoute, type Forwarder, type ForwarderOptions, type ForwarderStats, type PacketIO, type PacketIOStats } from '../tuntap/index.js';

/** How the fast path's thread runs (ForwarderOptions): busy-polling, SCHED_BATCH. */
export type FastPathTuning = Pick<ForwarderOptions, 'spinMicros' | 'schedBatch'>;
import { Chaos } from './chaos.js';
import { TunnelStats, type PeerStats } from './stats.js';
import { TcpCoalescer, VNET_HDR_LEN, completeChecksum, readVnetHdr, segmentTcp4, tcp4GsoSize, vnetNeedsCsum, writePlainVnetHdr } from './offload.js';

/** Largest UDP payload of one (GSO) send: 65535 − IPv4 − UDP headers. */
const MAX_UDP_PAYLOAD = 65507;

/** A remote node as the datapath sees it. */
export interface Peer {
  /** Underlay address (host order) and its dotted form. */
  ip: number;
  ipStr: string;
  port: number;
  stats: PeerStats;
}

/** Where a received datagram's payload goes. */
export interface Accepted { peer: Peer; off: number; len: number }

/** The backend-specific part: header format and lookups. */
export interface Codec {
  /** Bytes put in front of each device packet on the wire. */
  readonly headerLen: number;
  /** Offset of the IPv4 header inside a device packet (14 behind Ethernet, 0 on a TUN). */
  readonly l3Offset: number;
  /**
   * Chooses the peer for the device packet buf[off, off+len) and writes the header at
   * out[outOff]; undefined = drop (the codec counted why, or answered via tunnel.inject).
   */
  encap(buf: Buffer, off: number, len: number, out: Buffer, outOff: number): Peer | undefined;
  /** Checks a datagram from src; undefined = drop (counted by the codec). */
  decap(buf: Buffer, off: number, len: number, src: number): Accepted | undefined;
  /** The encapsulation, for the native fast path (none: every packet goes through JavaScript). */
  readonly fastPath?: Omit<ForwarderOptions, 'offload'>;
  /** The lookups as the native fast path holds them: device packets → peer, accepted sources. */
  fastTable?(): { routes: FastRoute[]; sources: number[] };
}

/** Moves packets between one device PacketIO and one UDP PacketIO through a codec. */
export class Tunnel {
  readonly stats = new TunnelStats();
  readonly chaos = new Chaos();
  private dev?: PacketIO;
  private udp?: PacketIO;
  private codec?: Codec;
  private offload = false;
  private coalescer?: TcpCoalescer;
  /** The native fast path: forwards plain packets on its own thread, hands the rest to onDevice/onUdp. */
  private fwd?: Forwarder;
  private timers = new Set<NodeJS.Timeout>();
  /** Chaos packets due now, sent after the batch so they do not clobber tx slots in use. */
  private dueNow: [Peer, Buffer][] = [];

  /**
   * Wires the IOs (created with onDevice/onUdp as their callbacks) and the codec, and starts
   * reading. offload: the device carries virtio_net_hdr super-packets and the socket does GSO/GRO.
   * fast: a native thread forwards the plain case (see Forwarder) when the codec supports it;
   * chaos rules, offload super-packets, unknown peers and malformed packets still come here.
   * tuning: the fast path's thread (busy-polling, SCHED_BATCH; see ForwarderOptions).
   */
  attach(dev: PacketIO, udp: PacketIO, codec: Codec, offload = false, fast = true, tuning: FastPathTuning = {}): void {
    this.dev = dev;
    this.udp = udp;
    this.codec = codec;
    this.offload = offload;
    if (offload) this.coalescer = new TcpCoalescer(dev);
    if (fast && codec.fastPath && codec.fastTable) {
      const fwd = this.fwd = new native.Forwarder(dev, udp, { ...codec.fastPath, offload, ...tuning });
      this.peersChanged();
      // Chaos is carried out here: while any rule is active, every packet takes the JavaScript path.
      this.chaos.onChange = () => fwd.setFast(!this.chaos.enabled);
      fwd.setFast(!this.chaos.enabled);
      this.stats.sync = () => this.collect();
      fwd.start();
      return;
    }
    dev.start();
    udp.start();
  }

  /** Call after changing the codec's peer maps: the native fast path gets the new table. */
  peersChanged(): void {
    const t = this.codec?.fastTable?.();
    if (this.fwd && t) this.fwd.setPeers(t.routes, t.sources);
  }

  /** Adds the fast path's per-peer counters to the peers' stats. */
  private collect(): void {
    if (!this.fwd) return;
    const c = this.fwd.collect();
    for (let i = 0; i + 4 < c.length; i += 5) {
      const s = this.stats.peer(intToIp(c[i]));
      s.txPackets += c[i + 1];
      s.txBytes += c[i + 2];
      s.rxPackets += c[i + 3];
      s.rxBytes += c[i + 4];
    }
  }

  /** Callback for the device PacketIO: device → peers. */
  readonly onDevice = (count: number): void => {
    if (this.offload) { this.onDeviceOffload(count); return; }
    const dev = this.dev!, udp = this.udp!, codec = this.codec!;
    const hl = codec.headerLen;
    const rxSlot = dev.slotSize, txSlot = udp.slotSize;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const off = i * rxSlot, len = dev.rxLen[i];
      if (len + hl > txSlot) { this.stats.noRoute++; continue; }
      const outOff = n * txSlot;
      const peer = codec.encap(dev.rxBuf, off, len, udp.txBuf, outOff);
      if (!peer) continue;
      dev.rxBuf.copy(udp.txBuf, outOff + hl, off, off + len);
      const rule = this.chaos.ruleFor(peer.ipStr);
      if (rule) {
        this.sendWithChaos(peer, Buffer.from(udp.txBuf.subarray(outOff, outOff + hl + len)), this.chaos.decide(rule));
        continue;
      }
      udp.txLen[n] = hl + len;
      udp.txGso[n] = 0;
      udp.txAddr[n] = peer.ip;
      udp.txPort[n] = peer.port;
      peer.stats.txPackets++;
      peer.stats.txBytes += hl + len;
      n++;
    }
    if (n > 0) udp.flush(n);
    this.sendDue();
  };

  private sendDue(): void {
    if (this.dueNow.length === 0) return;
    const due = this.dueNow;
    this.dueNow = [];
    for (const [peer, wire] of due) this.sendNow(peer, wire);
  }

  /** Device → peers with offloads: TCP super-packets are cut into MTU-sized segments sent with one UDP GSO call. */
  private onDeviceOffload(count: number): void {
    const dev = this.dev!, udp = this.udp!, codec = this.codec!;
    const hl = codec.headerLen;
    const rxSlot = dev.slotSize, txSlot = udp.slotSize;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const base = i * rxSlot, off = base + VNET_HDR_LEN, len = dev.rxLen[i] - VNET_HDR_LEN;
      if (len <= 0) continue;
      const gsoSize = tcp4GsoSize(dev.rxBuf, base);
      const outOff = n * txSlot;
      if (gsoSize === 0) {
        if (vnetNeedsCsum(dev.rxBuf, base) && !completeChecksum(dev.rxBuf, off, len, readVnetHdr(dev.rxBuf, base))) { this.stats.noRoute++; continue; }
        if (len + hl > txSlot) { this.stats.noRoute++; continue; }
      }
      const peer = codec.encap(dev.rxBuf, off, len, udp.txBuf, outOff);
      if (!peer) continue;
      let total = hl + len, stride = 0, segs = 1;
      if (gsoSize > 0) {
        const s = segmentTcp4(dev.rxBuf, off, len, codec.l3Offset, gsoSize, udp.txBuf, outOff, hl, outOff + txSlot);
        if (!s) { this.stats.noRoute++; continue; }
        total = s.total;
        segs = s.count;
        stride = s.count > 1 ? s.stride : 0;
      } else {
        dev.rxBuf.copy(udp.txBuf, outOff + hl, off, off + len);
      }
      const rule = this.chaos.ruleFor(peer.ipStr);
      if (rule) {
        const step = stride || total;
        for (let p = 0; p < total; p += step) {
          this.sendWithChaos(peer, Buffer.from(udp.txBuf.subarray(outOff + p, outOff + Math.min(total, p + step))), this.chaos.decide(rule));
        }
        continue;
      }
      // One UDP GSO send carries at most 64 KB: the segments of a full super-packet take two slots.
      const perSlot = stride ? Math.floor(MAX_UDP_PAYLOAD / stride) * stride : total;
      for (let p = 0; p < total; p += perSlot) {
        const part = Math.min(perSlot, total - p);
        if (p > 0) udp.txBuf.copy(udp.txBuf, (n + 1) * txSlot, outOff + p, outOff + p + part);
        if (p > 0) n++;
        udp.txLen[n] = part;
        udp.txGso[n] = stride && part > stride ? stride : 0;
        udp.txAddr[n] = peer.ip;
        udp.txPort[n] = peer.port;
      }
      peer.stats.txPackets += segs;
      peer.stats.txBytes += total;
      n++;
      if (n + 2 > udp.batch) { udp.flush(n); n = 0; }
    }
    if (n > 0) udp.flush(n);
    this.sendDue();
  }

  /** Peers → device with offloads: GRO buffers are split into datagrams, TCP segments merged again. */
  private onUdpOffload(count: number): void {
    const udp = this.udp!, codec = this.codec!, co = this.coalescer!;
    const rxSlot = udp.slotSize;
    for (let i = 0; i < count; i++) {
      const len = udp.rxLen[i];
      if (len < 0) { this.stats.malformed++; continue; }
      const base = i * rxSlot, seg = udp.rxGso[i] || len;
      for (let p = 0; p < len; p += seg) {
        const dlen = Math.min(seg, len - p);
        const a = codec.decap(udp.rxBuf, base + p, dlen, udp.rxAddr[i]);
        if (!a) continue;
        co.add(udp.rxBuf, a.off, a.len, codec.l3Offset);
        a.peer.stats.rxPackets++;
        a.peer.stats.rxBytes += dlen;
      }
    }
    co.finish();
  }

  /** Callback for the UDP PacketIO: peers → device. */
  readonly onUdp = (count: number): void => {
    if (this.offload) { this.onUdpOffload(count); return; }
    const dev = this.dev!, udp = this.udp!, codec = this.codec!;
    const rxSlot = udp.slotSize, txSlot = dev.slotSize;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const len = udp.rxLen[i];
      if (len < 0) { this.stats.malformed++; continue; }
      const a = codec.decap(udp.rxBuf, i * rxSlot, len, udp.rxAddr[i]);
      if (!a) continue;
      if (a.len > txSlot) { a.peer.stats.malformed++; continue; }
      udp.rxBuf.copy(dev.txBuf, n * txSlot, a.off, a.off + a.len);
      dev.txLen[n] = a.len;
      a.peer.stats.rxPackets++;
      a.peer.stats.rxBytes += len;
      n++;
    }
    if (n > 0) dev.flush(n);
  };

  /** Native counters of the device and socket IOs (batches, EAGAIN, queued writes). */
  ioStats(): { device?: PacketIOStats; socket?: PacketIOStats; forwarder?: ForwarderStats } {
    return { device: this.dev?.stats(), socket: this.udp?.stats(), forwarder: this.fwd?.stats() };
  }

  /** Writes one packet into the device (e.g. an ICMP error for the local sender). */
  inject(packet: Buffer): void {
    const dev = this.dev!;
    const pre = this.offload ? VNET_HDR_LEN : 0;
    if (packet.length + pre > dev.slotSize) return;
    // Slot 0 is free here: device tx slots are only filled inside onUdp, never concurrently.
    if (pre) writePlainVnetHdr(dev.txBuf, 0);
    packet.copy(dev.txBuf, pre);
    dev.txLen[0] = pre + packet.length;
    dev.flush(1);
  }

  private sendWithChaos(peer: Peer, wire: Buffer, delays: number[]): void {
    if (delays.length === 0) {
      this.stats.chaosDrops++;
      peer.stats.drops++;
      return;
    }
    for (const d of delays) {
      if (d <= 0) { this.dueNow.push([peer, wire]); continue; }
      const t = setTimeout(() => { this.timers.delete(t); this.sendNow(peer, wire); }, d);
      this.timers.add(t);
    }
  }

  private sendNow(peer: Peer, wire: Buffer): void {
    const udp = this.udp;
    if (!udp) return;
    wire.copy(udp.txBuf, 0);
    udp.txLen[0] = wire.length;
    udp.txAddr[0] = peer.ip;
    udp.txPort[0] = peer.port;
    udp.txGso[0] = 0;
    peer.stats.txPackets++;
    peer.stats.txBytes += wire.length;
    udp.flush(1);
  }

  /** Stops reading, cancels delayed packets and closes both IOs (the device disappears). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.fwd) {
      this.collect();
      this.fwd.close(); // the thread is gone before the fds close
      this.fwd = undefined;
      this.stats.sync = undefined;
    }
    this.dev?.close();
    this.udp?.close();
    this.dev = this.udp = undefined;
  }
}
