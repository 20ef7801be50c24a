/**
 * flannel's udp backend framing: the raw inner IPv4 packet is the whole UDP payload (no extra
 * header). As flannel's proxy does, the TTL is decremented on the way out, and a packet for a
 * subnet nobody holds gets an ICMP "network unreachable" back to its sender.
 */
import type { Accepted, Codec, Peer } from './tunnel.js';
import type { FastRoute } from '../tuntap/index.js';
import type { TunnelStats } from './stats.js';
import { buildIcmpError, decrementTtl, ipv4Dst, isIPv4 } from '../packet/ipv4.js';
import { maskOf } from '../subnet/cidr.js';

const ICMP_UNREACH = 3, ICMP_NET_UNREACH = 0, ICMP_TIME_EXCEEDED = 11;

/** Lookups by destination subnet (out) and by source address (in). */
export class UdpCodec implements Codec {
  readonly headerLen = 0;
  readonly l3Offset = 0;
  /** Remote subnet base address → peer. */
  readonly bySubnet = new Map<number, Peer>();
  readonly byIp = new Map<number, Peer>();
  private readonly mask: number;
  readonly fastPath: { kind: 'udp'; subnetLen: number };

  /** reply writes a packet back into the TUN. */
  constructor(subnetLen: number, private readonly stats: TunnelStats,
    private readonly reply: (packet: Buffer) => void) {
    this.mask = maskOf(subnetLen);
    this.fastPath = { kind: 'udp', subnetLen };
  }

  fastTable(): { routes: FastRoute[]; sources: number[] } {
    return {
      routes: [...this.bySubnet].map(([subnet, p]) => ({ key: subnet, ip: p.ip, port: p.port })),
      sources: [...this.byIp.keys()],
    };
  }

  encap(buf: Buffer, off: number, len: number): Peer | undefined {
    if (!isIPv4(buf, off, len)) { this.stats.noRoute++; return undefined; } // IPv6 chatter of the TUN
    if (!decrementTtl(buf, off)) {
      this.stats.ttlExpired++;
      this.icmp(buf, off, len, ICMP_TIME_EXCEEDED, 0);
      return undefined;
    }
    const peer = this.bySubnet.get((ipv4Dst(buf, off) & this.mask) >>> 0);
    if (!peer) {
      this.stats.noRoute++;
      this.icmp(buf, off, len, ICMP_UNREACH, ICMP_NET_UNREACH);
      return undefined;
    }
    return peer;
  }

  decap(buf: Buffer, off: number, len: number, src: number): Accepted | undefined {
    const peer = this.byIp.get(src);
    if (!isIPv4(buf, off, len) || buf.readUInt16BE(off + 2) > len) {
      this.stats.malformed++;
      if (peer) peer.stats.malformed++;
      return undefined;
    }
    if (!peer) { this.stats.unknownSource++; return undefined; }
    return { peer, off, len: buf.readUInt16BE(off + 2) };
  }

  private icmp(buf: Buffer, off: number, len: number, type: number, code: number): void {
    // Never answer an ICMP error with another one (RFC 1122).
    if (buf[off + 9] === 1 && len > 20 && [3, 4, 5, 11, 12].includes(buf[off + (buf[off] & 15) * 4])) return;
    // Sent from the destination subnet's base address, as from its gateway: a source that is
    // local to this node would be dropped by the kernel as a martian when read from the TUN.
    this.reply(buildIcmpError((ipv4Dst(buf, off) & this.mask) >>> 0, buf, off, len, type, code));
  }
}
