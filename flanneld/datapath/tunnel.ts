/**
 * The userspace datapath shared by the udp and vxlan backends: packets read in batches from
 * the device (TUN/TAP) are given a header by a codec and sent in batches over the UDP socket;
 * datagrams read in batches are checked by the codec and written to the device. Chaos rules
 * apply on the way to the peers; counters live in TunnelStats.
 */
import type { PacketIO, PacketIOStats } from '../tuntap/index.js';
import { Chaos } from './chaos.js';
import { TunnelStats, type PeerStats } from './stats.js';

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
  /**
   * Chooses the peer for the device packet buf[off, off+len) and writes the header at
   * out[outOff]; undefined = drop (the codec counted why, or answered via tunnel.inject).
   */
  encap(buf: Buffer, off: number, len: number, out: Buffer, outOff: number): Peer | undefined;
  /** Checks a datagram from src; undefined = drop (counted by the codec). */
  decap(buf: Buffer, off: number, len: number, src: number): Accepted | undefined;
}

/** Moves packets between one device PacketIO and one UDP PacketIO through a codec. */
export class Tunnel {
  readonly stats = new TunnelStats();
  readonly chaos = new Chaos();
  private dev?: PacketIO;
  private udp?: PacketIO;
  private codec?: Codec;
  private timers = new Set<NodeJS.Timeout>();
  /** Chaos packets due now, sent after the batch so they do not clobber tx slots in use. */
  private dueNow: [Peer, Buffer][] = [];

  /** Wires the IOs (created with onDevice/onUdp as their callbacks) and the codec, and starts reading. */
  attach(dev: PacketIO, udp: PacketIO, codec: Codec): void {
    this.dev = dev;
    this.udp = udp;
    this.codec = codec;
    dev.start();
    udp.start();
  }

  /** Callback for the device PacketIO: device → peers. */
  readonly onDevice = (count: number): void => {
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
      udp.txAddr[n] = peer.ip;
      udp.txPort[n] = peer.port;
      peer.stats.txPackets++;
      peer.stats.txBytes += hl + len;
      n++;
    }
    if (n > 0) udp.flush(n);
    if (this.dueNow.length > 0) {
      const due = this.dueNow;
      this.dueNow = [];
      for (const [peer, wire] of due) this.sendNow(peer, wire);
    }
  };

  /** Callback for the UDP PacketIO: peers → device. */
  readonly onUdp = (count: number): void => {
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
  ioStats(): { device?: PacketIOStats; socket?: PacketIOStats } {
    return { device: this.dev?.stats(), socket: this.udp?.stats() };
  }

  /** Writes one packet into the device (e.g. an ICMP error for the local sender). */
  inject(packet: Buffer): void {
    const dev = this.dev!;
    if (packet.length > dev.slotSize) return;
    // Slot 0 is free here: device tx slots are only filled inside onUdp, never concurrently.
    packet.copy(dev.txBuf, 0);
    dev.txLen[0] = packet.length;
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
    peer.stats.txPackets++;
    peer.stats.txBytes += wire.length;
    udp.flush(1);
  }

  /** Stops reading, cancels delayed packets and closes both IOs (the device disappears). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dev?.close();
    this.udp?.close();
    this.dev = this.udp = undefined;
  }
}
