/**
 * VXLAN (RFC 7348) framing for the userspace vxlan backend: 8-byte header (flags 0x08 = VNI
 * valid, 24-bit VNI) in front of the inner Ethernet frame, carried in UDP to port 8472 as
 * flannel and the Linux kernel's vxlan device do, so both ends interoperate.
 */
import type { Accepted, Codec, Peer } from './tunnel.js';
import type { FastRoute } from '../tuntap/index.js';
import type { TunnelStats } from './stats.js';

/** VXLAN header length. */
export const VXLAN_HEADER = 8;
const ETH_HEADER = 14;

/** A MAC "aa:bb:cc:dd:ee:ff" as a 48-bit number (exact in a JS number). */
export function macToNumber(mac: string): number {
  const hex = mac.replace(/:/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw new Error(`bad MAC ${mac}`);
  return parseInt(hex, 16);
}

/** Writes a VXLAN header for vni at buf[off]. */
export function writeVxlanHeader(buf: Buffer, off: number, vni: number): void {
  buf[off] = 0x08;
  buf[off + 1] = 0; buf[off + 2] = 0; buf[off + 3] = 0;
  buf.writeUIntBE(vni, off + 4, 3);
  buf[off + 7] = 0;
}

/** VXLAN lookups: inner destination MAC → peer (the FDB), source address → peer. */
export class VxlanCodec implements Codec {
  readonly headerLen = VXLAN_HEADER;
  readonly l3Offset = ETH_HEADER;
  /** The forwarding database: remote VtepMAC → peer. */
  readonly byMac = new Map<number, Peer>();
  readonly byIp = new Map<number, Peer>();

  readonly fastPath: { kind: 'vxlan'; vni: number };

  constructor(private readonly vni: number, private readonly stats: TunnelStats) {
    this.fastPath = { kind: 'vxlan', vni };
  }

  fastTable(): { routes: FastRoute[]; sources: number[] } {
    return {
      routes: [...this.byMac].map(([mac, p]) => ({ key: mac, ip: p.ip, port: p.port })),
      sources: [...this.byIp.keys()],
    };
  }

  encap(buf: Buffer, off: number, len: number, out: Buffer, outOff: number): Peer | undefined {
    if (len < ETH_HEADER) { this.stats.noRoute++; return undefined; }
    const peer = this.byMac.get(buf.readUIntBE(off, 6));
    // Broadcast and unknown unicast are dropped, as the kernel does with nolearning and no default FDB entry.
    if (!peer) { this.stats.noRoute++; return undefined; }
    writeVxlanHeader(out, outOff, this.vni);
    return peer;
  }

  decap(buf: Buffer, off: number, len: number, src: number): Accepted | undefined {
    const peer = this.byIp.get(src);
    if (len < VXLAN_HEADER + ETH_HEADER || (buf[off] & 0x08) === 0) {
      this.stats.malformed++;
      if (peer) peer.stats.malformed++;
      return undefined;
    }
    if (buf.readUIntBE(off + 4, 3) !== this.vni) {
      this.stats.foreignVni++;
      if (peer) peer.stats.malformed++;
      return undefined;
    }
    if (!peer) { this.stats.unknownSource++; return undefined; }
    return { peer, off: off + VXLAN_HEADER, len: len - VXLAN_HEADER };
  }
}
