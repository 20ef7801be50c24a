/**
 * The vxlan backend: device flannel.<VNI> with MAC = VtepMAC; per remote node a route to its
 * subnet via <subnet>.0 onlink, a static ARP entry and a forwarding entry, as flannel programs
 * them. Mode `userspace` (default) is a TAP device with VXLAN done in TypeScript; mode
 * `kernel` programs a Linux vxlan device (the speed reference). Both speak the same wire.
 * DirectRouting: nodes on the same segment get a plain route instead, as flannel does.
 */
import { formatIp, netContains, parseIp, subnetKey, type IPv4Net } from '../subnet/cidr.js';
import type { SubnetLease } from '../subnet/registry.js';
import { Tap } from '../tuntap/index.js';
import { openTunnel, USERSPACE_TXQUEUELEN } from '../datapath/open-tunnel.js';
import { Tunnel, type Peer } from '../datapath/tunnel.js';
import { VxlanCodec, macToNumber } from '../datapath/vxlan-codec.js';
import { ip, ipQuiet } from '../net/ip.js';
import { SerialQueue } from '../net/serial.js';
import { logger } from '../log.js';
import { addDirectRoute, addFdb, addNeighbour, addOnlinkRoute, connectedNets, randomMac, removeDirectRoute, removePeerEntries } from './routes.js';
import { registerBackend, type Backend, type BackendContext } from './backend.js';

const log = logger('flanneld/vxlan');

/** A remote node; direct = reached by a plain route (DirectRouting, same segment) instead of VXLAN. */
interface RemoteVtep { subnet: IPv4Net; mac: string; publicIp: string; direct: boolean }

/** Creates the vxlan backend (device first: its MAC goes into the lease). */
export async function createVxlanBackend(ctx: BackendContext): Promise<Backend> {
  const vni = ctx.backend.VNI ?? 1;
  const port = ctx.backend.Port ?? 8472;
  const mode = String(ctx.backend.Mode ?? 'userspace');
  if (mode !== 'userspace' && mode !== 'kernel') throw new Error(`vxlan: unknown Mode ${mode} (userspace or kernel)`);
  const dev = `flannel.${vni}`;
  const mtu = ctx.ifaceMtu - 50;
  const mac = randomMac();
  const ns = ctx.netns;
  const remotes = new Map<string, RemoteVtep>();
  // DirectRouting (as flannel's): nodes on this node's own segment get a plain route, no encapsulation.
  const onLink = ctx.backend.DirectRouting === true ? await connectedNets(ns, ctx.iface) : [];
  const queue = new SerialQueue();
  let tunnel: Tunnel | undefined;
  let codec: VxlanCodec | undefined;
  let tap: Tap | undefined;

  await ipQuiet(ns, 'link', 'del', dev); // left over by a killed run (a kernel-mode device survives its process)
  if (mode === 'userspace') {
    tap = new Tap({ name: dev, netns: ns, offload: ctx.backend.Offload !== false });
    try {
      tap.mac = mac;
      tap.mtu = mtu;
      tunnel = openTunnel(tap, port, ns, ctx.ifaceMtu, (t) => (codec = new VxlanCodec(vni, t.stats)), ctx.backend.FastPath !== false,
        { spinMicros: ctx.backend.SpinMicros, schedBatch: ctx.backend.SchedBatch });
    } catch (err) {
      tap.release();
      throw err;
    }
  } else {
    await ip(ns, 'link', 'add', dev, 'type', 'vxlan', 'id', String(vni), 'local', ctx.publicIp, 'dev', ctx.iface,
      'dstport', String(port), 'nolearning');
    await ip(ns, 'link', 'set', dev, 'address', mac, 'mtu', String(mtu));
  }
  log.info('vxlan device created', { dev, mode, vni, port, mtu, vtepMAC: mac, offload: !!tap?.offload });

  const peerOf = (r: RemoteVtep): Peer => {
    const ipNum = parseIp(r.publicIp)!;
    return { ip: ipNum, ipStr: r.publicIp, port, stats: tunnel!.stats.peer(r.publicIp) };
  };

  return {
    type: 'vxlan',
    mtu,
    backendData: { VNI: vni, VtepMAC: mac },
    stats: tunnel?.stats,
    chaos: tunnel?.chaos,
    ioStats: tunnel ? () => tunnel!.ioStats() as unknown as Record<string, Record<string, number>> : undefined,
    // The codec's MAC → peer map is this mode's FDB (the kernel's stays empty): shown in bridge's format.
    userspaceFdb: codec ? () => [...remotes.values()].filter((r) => !r.direct).map((r) => `${r.mac} dev ${dev} dst ${r.publicIp} self permanent userspace`) : undefined,
    async start(own: IPv4Net) {
      await ip(ns, 'addr', 'replace', `${formatIp(own.ip)}/32`, 'dev', dev);
      await ip(ns, 'link', 'set', dev, ...(tunnel ? ['txqueuelen', USERSPACE_TXQUEUELEN] : []), 'up');
    },
    onAdd(lease: SubnetLease) {
      const data = lease.attrs.BackendData ?? {};
      const remoteMac = typeof data.VtepMAC === 'string' ? data.VtepMAC : '';
      if (lease.attrs.BackendType !== 'vxlan' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(remoteMac) || parseIp(lease.attrs.PublicIP) === undefined) {
        log.warn('ignoring lease that is not a usable vxlan lease', { subnet: subnetKey(lease.subnet), type: lease.attrs.BackendType });
        return;
      }
      const direct = onLink.some((n) => netContains(n, parseIp(lease.attrs.PublicIP)!));
      const r: RemoteVtep = { subnet: lease.subnet, mac: remoteMac.toLowerCase(), publicIp: lease.attrs.PublicIP, direct };
      const old = remotes.get(subnetKey(r.subnet));
      remotes.set(subnetKey(r.subnet), r);
      if (codec) {
        if (old) { codec.byMac.delete(macToNumber(old.mac)); codec.byIp.delete(parseIp(old.publicIp)!); }
        const p = peerOf(r);
        codec.byMac.set(macToNumber(r.mac), p);
        codec.byIp.set(p.ip, p); // also when direct: the peer may still send VXLAN
        tunnel!.peersChanged();
      }
      void queue.push(`programming ${subnetKey(r.subnet)}`, async () => {
        if (old?.direct && !direct) await removeDirectRoute(ns, old.subnet, ctx.iface);
        if (old && !old.direct && (direct || (old.mac !== r.mac && !codec))) await removePeerEntries(ns, old.subnet, dev, codec ? undefined : old.mac);
        if (direct) { await addDirectRoute(ns, r.subnet, r.publicIp, ctx.iface); return; }
        if (!codec) await addFdb(ns, r.mac, dev, r.publicIp);
        await addNeighbour(ns, r.subnet, r.mac, dev);
        await addOnlinkRoute(ns, r.subnet, dev);
      });
    },
    onRemove(lease: SubnetLease) {
      const r = remotes.get(subnetKey(lease.subnet));
      if (!r) return;
      remotes.delete(subnetKey(lease.subnet));
      if (codec) {
        codec.byMac.delete(macToNumber(r.mac));
        if (![...remotes.values()].some((o) => o.publicIp === r.publicIp)) codec.byIp.delete(parseIp(r.publicIp)!);
        tunnel!.peersChanged();
      }
      void queue.push(`removing ${subnetKey(r.subnet)}`, () =>
        (r.direct ? removeDirectRoute(ns, r.subnet, ctx.iface) : removePeerEntries(ns, r.subnet, dev, codec ? undefined : r.mac)));
    },
    async close() {
      await queue.idle();
      for (const r of remotes.values()) if (r.direct) await removeDirectRoute(ns, r.subnet, ctx.iface);
      if (tunnel) {
        tunnel.close(); // closing the TAP fd deletes flannel.N with its routes and neighbours
      } else {
        await ipQuiet(ns, 'link', 'del', dev);
      }
    },
  };
}

registerBackend('vxlan', createVxlanBackend);
