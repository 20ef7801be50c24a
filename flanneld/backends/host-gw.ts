/**
 * The host-gw backend: no encapsulation, a plain route to each node's subnet via that node's
 * underlay address (all nodes must share one L2 segment). The no-encapsulation reference.
 */
import { formatCidr, parseIp, subnetKey } from '../subnet/cidr.js';
import type { SubnetLease } from '../subnet/registry.js';
import { ip, ipQuiet } from '../net/ip.js';
import { netContains, parseCidr, type IPv4Net } from '../subnet/cidr.js';
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
      void queue.push(`route to ${formatCidr(lease.subnet)}`, () =>
        ip(ns, 'route', 'replace', formatCidr(lease.subnet), 'via', lease.attrs.PublicIP, 'dev', ctx.iface).then(() => undefined));
    },
    onRemove(lease: SubnetLease) {
      if (!routes.delete(subnetKey(lease.subnet))) return;
      void queue.push(`removing route to ${formatCidr(lease.subnet)}`, () => ipQuiet(ns, 'route', 'del', formatCidr(lease.subnet), 'dev', ctx.iface));
    },
    async close() {
      await queue.idle();
      // Routes to other nodes are flanneld's: take them away with it.
      for (const l of routes.values()) await ipQuiet(ns, 'route', 'del', formatCidr(l.subnet), 'dev', ctx.iface);
    },
  };
}

/** The networks directly connected on link (its IPv4 addresses with their prefixes). */
async function connectedNets(ns: string, link: string): Promise<IPv4Net[]> {
  const out = await ip(ns, '-o', '-4', 'addr', 'show', 'dev', link);
  return [...out.matchAll(/inet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => parseCidr(m[1]));
}

registerBackend('host-gw', createHostGwBackend);
