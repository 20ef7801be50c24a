/**
 * `GET /tables?dst=IP[&dst=IP]`: the kernel tables of this node that decide where a packet goes,
 * read-only, for `kubesim trace`-style paths drawn by a client that cannot enter the node's
 * namespace (the dashboard pod): the route for each destination (`ip route get`), the IPv4
 * neighbours (ARP), the bridge/VXLAN forwarding database (the kernel's, plus a userspace datapath's
 * own), the addresses, and this node's lease.
 */
import { ApiError } from '../lib/errors.js';
import { ip, runIn } from './net/ip.js';

/** This node's flannel lease, as published in etcd. */
export interface OwnLease { subnet: string; publicIP: string; backend: string; vtepMAC?: string }

/** What /tables answers: iproute2's own text lines, so clients parse one format. */
export interface NodeTables {
  lease?: OwnLease;
  /** dst → first line of `ip route get dst`. */
  routes: Record<string, string>;
  neigh: string[];
  fdb: string[];
  addrs: string[];
}

const MAX_DSTS = 8;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

/**
 * Reads the tables in netns ('' = here) for up to 8 IPv4 destinations; bad input → 400 naming the
 * field. `userspaceFdb` adds the entries a userspace datapath holds instead of the kernel.
 */
export async function readTables(netns: string, dsts: string[], lease?: OwnLease, userspaceFdb: string[] = []): Promise<NodeTables> {
  if (dsts.length > MAX_DSTS) throw new ApiError('BadRequest', `dst: at most ${MAX_DSTS} destinations`);
  for (const d of dsts) if (!IPV4.test(d)) throw new ApiError('BadRequest', `dst: ${JSON.stringify(d)} is not an IPv4 address`);
  const routes: Record<string, string> = {};
  await Promise.all(dsts.map(async (d) => { routes[d] = lines(await ip(netns, 'route', 'get', d).catch((e: Error) => `unreachable: ${e.message}`))[0] ?? ''; }));
  const [neigh, fdb, addrs] = await Promise.all([
    ip(netns, '-4', 'neigh', 'show'), runIn(netns, 'bridge', ['fdb', 'show']).catch(() => ''), ip(netns, '-4', '-o', 'addr', 'show'),
  ]);
  return { lease, routes, neigh: lines(neigh), fdb: [...lines(fdb), ...userspaceFdb], addrs: lines(addrs) };
}
