/** Kernel programming shared by the backends: routes, static neighbours and VXLAN FDB entries, as flannel sets them. */
import { formatCidr, formatIp, parseCidr, type IPv4Net } from '../subnet/cidr.js';
import { ip, ipQuiet, runIn } from '../net/ip.js';

/** `ip route replace <subnet> via <subnet>.0 dev <dev> onlink` (flannel's vxlan route). */
export async function addOnlinkRoute(netns: string, subnet: IPv4Net, dev: string): Promise<void> {
  await ip(netns, 'route', 'replace', formatCidr(subnet), 'via', formatIp(subnet.ip), 'dev', dev, 'onlink');
}

/** A static ARP entry for the remote VTEP address (subnet.0) → its VtepMAC. */
export async function addNeighbour(netns: string, subnet: IPv4Net, mac: string, dev: string): Promise<void> {
  await ip(netns, 'neigh', 'replace', formatIp(subnet.ip), 'lladdr', mac, 'dev', dev, 'nud', 'permanent');
}

/** A kernel vxlan FDB entry: frames for mac go to the underlay address dst. */
export async function addFdb(netns: string, mac: string, dev: string, dst: string): Promise<void> {
  await runIn(netns, 'bridge', ['fdb', 'replace', mac, 'dev', dev, 'dst', dst, 'self', 'permanent']);
}

/** Removes the route, neighbour and (kernel) FDB entry of a peer; missing entries are fine. */
export async function removePeerEntries(netns: string, subnet: IPv4Net, dev: string, mac?: string): Promise<void> {
  await ipQuiet(netns, 'route', 'del', formatCidr(subnet), 'dev', dev);
  await ipQuiet(netns, 'neigh', 'del', formatIp(subnet.ip), 'dev', dev);
  if (mac) await runIn(netns, 'bridge', ['fdb', 'del', mac, 'dev', dev, 'self']).catch(() => undefined);
}

/** A random locally administered unicast MAC (as the kernel gives a new vxlan device). */
export function randomMac(): string {
  const b = Array.from({ length: 6 }, () => Math.floor(Math.random() * 256));
  b[0] = (b[0] & 0xfe) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The networks directly connected on link (its IPv4 addresses with their prefixes). */
export async function connectedNets(ns: string, link: string): Promise<IPv4Net[]> {
  const out = await ip(ns, '-o', '-4', 'addr', 'show', 'dev', link);
  return [...out.matchAll(/inet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/g)].map((m) => parseCidr(m[1]));
}

/** A plain route to a node's subnet via its underlay address (host-gw, vxlan DirectRouting). */
export async function addDirectRoute(ns: string, subnet: IPv4Net, via: string, link: string): Promise<void> {
  await ip(ns, 'route', 'replace', formatCidr(subnet), 'via', via, 'dev', link);
}

/** Removes a direct route; missing is fine. */
export async function removeDirectRoute(ns: string, subnet: IPv4Net, link: string): Promise<void> {
  await ipQuiet(ns, 'route', 'del', formatCidr(subnet), 'dev', link);
}
