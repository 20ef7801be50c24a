/** Datapath counters per peer and overall, rendered in the Prometheus text format for /metrics. */

/** Counters toward/from one peer (by PublicIP). */
export class PeerStats {
  txPackets = 0; txBytes = 0; rxPackets = 0; rxBytes = 0;
  /** Packets dropped toward this peer (chaos, send errors). */
  drops = 0;
  /** Malformed or foreign datagrams that came from this peer. */
  malformed = 0;
}

/** All counters of one tunnel. */
export class TunnelStats {
  readonly peers = new Map<string, PeerStats>();
  /** Datagrams too short, bad header or truncated, from unknown sources included. */
  malformed = 0;
  /** Datagrams with a VNI that is not ours. */
  foreignVni = 0;
  /** Datagrams from an address that holds no lease. */
  unknownSource = 0;
  /** Device packets with no peer to send to (unknown MAC / subnet). */
  noRoute = 0;
  /** Packets dropped because the TTL ran out. */
  ttlExpired = 0;
  /** Packets the chaos hooks dropped. */
  chaosDrops = 0;
  /** Brings in counters kept elsewhere (the native fast path's) before they are read. */
  sync?: () => void;

  /** Counters of a peer, created on first use. */
  peer(ip: string): PeerStats {
    let s = this.peers.get(ip);
    if (!s) this.peers.set(ip, (s = new PeerStats()));
    return s;
  }
}

const PEER_METRICS: [keyof PeerStats, string, string][] = [
  ['txPackets', 'flannel_peer_tx_packets_total', 'Packets sent to the peer.'],
  ['txBytes', 'flannel_peer_tx_bytes_total', 'Bytes sent to the peer (encapsulated).'],
  ['rxPackets', 'flannel_peer_rx_packets_total', 'Packets received from the peer.'],
  ['rxBytes', 'flannel_peer_rx_bytes_total', 'Bytes received from the peer (encapsulated).'],
  ['drops', 'flannel_peer_drops_total', 'Packets toward the peer that were dropped.'],
  ['malformed', 'flannel_peer_malformed_total', 'Malformed or foreign packets from the peer.'],
];

const GLOBAL_METRICS: [keyof TunnelStats, string, string][] = [
  ['malformed', 'flannel_malformed_packets_total', 'Malformed datagrams (short, bad header, truncated).'],
  ['foreignVni', 'flannel_foreign_vni_packets_total', 'VXLAN datagrams with a foreign VNI.'],
  ['unknownSource', 'flannel_unknown_source_packets_total', 'Datagrams from addresses without a lease.'],
  ['noRoute', 'flannel_no_route_packets_total', 'Device packets with no peer to send to.'],
  ['ttlExpired', 'flannel_ttl_expired_packets_total', 'Packets dropped because the TTL ran out.'],
  ['chaosDrops', 'flannel_chaos_drops_total', 'Packets dropped by chaos rules.'],
];

/** Prometheus text exposition of the counters (io: native PacketIO counters by side). */
export function renderMetrics(s: TunnelStats, backend: string, io: Record<string, Record<string, number> | undefined> = {}): string {
  s.sync?.();
  const lines: string[] = [];
  for (const [side, st] of Object.entries(io)) {
    if (!st) continue;
    for (const [k, v] of Object.entries(st)) {
      const name = `flannel_io_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
      lines.push(`${name}{backend="${backend}",side="${side}"} ${v}`);
    }
  }
  for (const [field, name, help] of PEER_METRICS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [ip, p] of s.peers) lines.push(`${name}{backend="${backend}",peer="${ip}"} ${p[field]}`);
  }
  for (const [field, name, help] of GLOBAL_METRICS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}{backend="${backend}"} ${s[field] as number}`);
  }
  return lines.join('\n') + '\n';
}
