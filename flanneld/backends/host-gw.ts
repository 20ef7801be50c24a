/**
 * The host-gw backend: no encapsulation, a plain route to each node's subnet via that node's
 * underlay address (all nodes must share one L2 segment). The no-encapsulation reference.
 */
import { formatCidr, parseIp, subnetKey } from '../subnet/cidr.js';
import type { SubnetLease } from '../subnet/registry.js';
import { netContains } from '../subnet/cidr.js';
import { addDirectRoute, connectedNets, removeDirectRoute } from './routes.js';
import { SerialQueue } from '../net/serial.js';
import { logger } from '../log.js';
import { registerBackend, type Backend, type BackendContext } from './backend.js';

const log = logger('flanneld/host-gw');

/** Creates the host-gw backend. */
export async function createHostGwBackend(ctx: BackendContext): Promise<Backend> {
  const ns = ctx.netns;
  const queue = new SerialQueue();
  // host-gw routes straight to the other node: it must sit on this node's own segment.
  const onLink = await connectedNets(ns, ctx.iface);
  const routes = new Map<string, SubnetLease>();
  return {
    type: 'host-gw',
    mtu: ctx.ifaceMtu,
    backendData: {},
    async start() { /* nothing local: pods sit behind cni0 */ },
    onAdd(lease: SubnetLease) {
      if (lease.attrs.BackendType !== 'host-gw' || parseIp(lease.attrs.PublicIP) === undefined) {
        log.warn('ignoring lease that is not a usable host-gw lease', { subnet: subnetKey(lease.subnet), type: lease.attrs.BackendType });
        return;
      }
      if (!onLink.some((n) => netContains(n, parseIp(lease.attrs.PublicIP)!))) {
        log.warn('host-gw needs every node on one L2 segment: no route to a node behind a router', { subnet: subnetKey(lease.subnet), publicIP: lease.attrs.PublicIP });
        return;
      }
      routes.set(subnetKey(lease.subnet), lease);
      void queue.push(`route to ${formatCidr(lease.subnet)}`, () => addDirectRoute(ns, lease.subnet, lease.attrs.PublicIP, ctx.iface));
    },
    onRemove(lease: SubnetLease) {
      if (!routes.delete(subnetKey(lease.subnet))) return;
      void queue.push(`removing route to ${formatCidr(lease.subnet)}`, () => removeDirectRoute(ns, lease.subnet, ctx.iface));
    },
    async close() {
      await queue.idle();
      // Routes to other nodes are flanneld's: take them away with it.
      for (const l of routes.values()) await removeDirectRoute(ns, l.subnet, ctx.iface);
    },
  };
}

registerBackend('host-gw', createHostGwBackend);
