/**
 * The udp backend, as flannel's: TUN `flannel0` holding this node's subnet address with the
 * whole network's prefix (so one route sends all pod traffic into it), UDP port 8285, raw
 * IPv4 packets as payload, MTU = underlay − 28.
 */
import { formatIp, parseIp, subnetKey, type IPv4Net } from '../subnet/cidr.js';
import type { SubnetLease } from '../subnet/registry.js';
import { Tun } from '../tuntap/index.js';
import { openTunnel, USERSPACE_TXQUEUELEN } from '../datapath/open-tunnel.js';
import { UdpCodec } from '../datapath/udp-codec.js';
import type { Peer, Tunnel } from '../datapath/tunnel.js';
import { ip, ipQuiet } from '../net/ip.js';
import { logger } from '../log.js';
import { registerBackend, type Backend, type BackendContext } from './backend.js';

const log = logger('flanneld/udp');
const DEVICE = 'flannel0';

/** Creates the udp backend. */
export async function createUdpBackend(ctx: BackendContext): Promise<Backend> {
  const port = ctx.backend.Port ?? 8285;
  const mtu = ctx.ifaceMtu - 28;
  const ns = ctx.netns;
  let codec!: UdpCodec;
  await ipQuiet(ns, 'link', 'del', DEVICE); // a stale device of another kind would make TUNSETIFF fail
  const tun = new Tun({ name: DEVICE, netns: ns, offload: ctx.backend.Offload !== false });
  let tunnel: Tunnel;
  try {
    tun.mtu = mtu;
    tunnel = openTunnel(tun, port, ns, ctx.ifaceMtu, (t) =>
      (codec = new UdpCodec(ctx.network.subnetLen, t.stats, (p) => t.inject(p))), ctx.backend.FastPath !== false,
      { spinMicros: ctx.backend.SpinMicros, schedBatch: ctx.backend.SchedBatch });
  } catch (err) {
    tun.release();
    throw err;
  }
  log.info('udp device created', { dev: DEVICE, port, mtu, offload: tun.offload });
  const leases = new Map<string, Peer>();

  return {
    type: 'udp',
    mtu,
    backendData: {},
    stats: tunnel.stats,
    chaos: tunnel.chaos,
    ioStats: () => tunnel.ioStats() as unknown as Record<string, Record<string, number>>,
    async start(own: IPv4Net) {
      await ip(ns, 'addr', 'replace', `${formatIp(own.ip)}/${ctx.network.network.prefixLen}`, 'dev', DEVICE);
      await ip(ns, 'link', 'set', DEVICE, 'txqueuelen', USERSPACE_TXQUEUELEN, 'up');
    },
    onAdd(lease: SubnetLease) {
      const addr = parseIp(lease.attrs.PublicIP);
      if (lease.attrs.BackendType !== 'udp' || addr === undefined) {
        log.warn('ignoring lease that is not a usable udp lease', { subnet: subnetKey(lease.subnet), type: lease.attrs.BackendType });
        return;
      }
      const peer: Peer = { ip: addr, ipStr: lease.attrs.PublicIP, port, stats: tunnel.stats.peer(lease.attrs.PublicIP) };
      leases.set(subnetKey(lease.subnet), peer);
      codec.bySubnet.set(lease.subnet.ip, peer);
      codec.byIp.set(addr, peer);
      tunnel.peersChanged();
    },
    onRemove(lease: SubnetLease) {
      const peer = leases.get(subnetKey(lease.subnet));
      if (!peer) return;
      leases.delete(subnetKey(lease.subnet));
      codec.bySubnet.delete(lease.subnet.ip);
      if (![...leases.values()].some((p) => p.ip === peer.ip)) codec.byIp.delete(peer.ip);
      tunnel.peersChanged();
    },
    async close() {
      tunnel.close(); // the TUN goes away with its fd, and its routes with it
    },
  };
}

registerBackend('udp', createUdpBackend);
