/** Kernel programming shared by the backends: routes, static neighbours and VXLAN FDB entries, as flannel sets them. */
import { formatCidr, formatIp, type IPv4Net } from '../subnet/cidr.js';
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
