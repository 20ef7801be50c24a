/**
 * `kubesim trace`: the path a packet from a pod to a destination takes, hop by hop, read from
 * what the kernel and flanneld say (routes and neighbours in the pod and node namespaces, the
 * flannel.1 FDB, the subnet leases in etcd), not from what the design says it should be.
 * traceHops decides the hops from whatever reads those tables (a TraceProbe): here `ip netns
 * exec` on the host; in the dashboard, flanneld's read-only /tables on each node.
 */
import { Etcd3 } from 'etcd3';
import { ipIn, run } from '../../lib/testing/netns.js';
import { UserError } from '../commands/up.js';
import type { ChaosContext } from './context.js';

/** A table entry that decides a hop: a route, an ARP (neighbour) or FDB entry, a flannel lease. */
export interface Decision { table: 'route' | 'arp' | 'fdb' | 'lease'; entry: string }
/** One hop: where the packet is and what sends it on (`decidedBy`: the entries, for display). */
export interface Hop { where: string; detail: string; decidedBy?: Decision[] }

interface PodJSON { metadata: { name: string; namespace: string }; spec: { nodeName?: string }; status: { podIP?: string } }
/** A flannel subnet lease as stored in etcd. */
export interface Lease { subnet: string; publicIP: string; backend: string; vtepMAC?: string }
/** A pod as the trace needs it. */
export interface TracePod { namespace: string; name: string; ip: string; nodeName: string }

/** Where the trace reads the tables that decide each hop from. */
export interface TraceProbe {
  /** The cluster's nodes and their underlay addresses. */
  nodes: Array<{ name: string; underlayIP: string }>;
  /** The route the pod's own namespace takes toward ip (first line of `ip route get`). */
  podRoute(pod: TracePod, ip: string): Promise<string>;
  /** First line of `ip route get ip` in node's namespace. */
  nodeRoute(node: string, ip: string): Promise<string>;
  /** `ip neigh show ip dev dev` in node's namespace ('' when there is no entry). */
  neigh(node: string, ip: string, dev: string): Promise<string>;
  /** Lines of `bridge fdb show` in node's namespace. */
  fdb(node: string): Promise<string[]>;
  /** Every node's flannel lease. */
  leases(): Promise<Lease[]>;
}

/** Finds a pod by `ns/name`, `name` (default namespace) or pod IP. */
async function findPod(ctx: ChaosContext, ref: string): Promise<PodJSON | undefined> {
  const list = await (await fetch(`${ctx.apiURL}/api/v1/pods`)).json() as { items: PodJSON[] };
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : ['default', ref];
  return list.items.find((p) => p.status.podIP === ref) ?? list.items.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
}

/** The pod network namespace holding ip (the runtime names them <node netns>-...). */
async function podNetnsOf(ctx: ChaosContext, ip: string): Promise<string> {
  const names = (await run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`ksim-${ctx.state.name}-`));
  for (const ns of names) {
    const addrs = await ipIn(ns, '-o', '-4', 'addr', 'show').catch(() => '');
    const line = addrs.split('\n').find((l) => l.includes(` ${ip}/`));
    if (line && !/ cni0 /.test(line)) return ns;
  }
  throw new UserError(`no network namespace holds pod IP ${ip}`);
}

async function leases(ctx: ChaosContext): Promise<Lease[]> {
  const etcd = new Etcd3({ ...ctx.etcdOptions, dialTimeout: 3000 });
  try {
    const all = await etcd.getAll().prefix('/coreos.com/network/subnets/').strings();
    return Object.entries(all).map(([k, v]) => {
      const o = JSON.parse(v) as { PublicIP: string; BackendType: string; BackendData?: { VtepMAC?: string } };
      return { subnet: k.split('/').pop()!.replace('-', '/'), publicIP: o.PublicIP, backend: o.BackendType, vtepMAC: o.BackendData?.VtepMAC };
    });
  } finally {
    etcd.close();
  }
}

/** True when IPv4 ip is inside cidr. */
export function inSubnet(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
  const mask = Number(len) === 0 ? 0 : (~0 << (32 - Number(len))) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(base) & mask) >>> 0);
}

const firstLine = (s: string): string => s.split('\n')[0].trim();

/** The host's view of a local cluster: `ip netns exec` into node and pod namespaces, leases from etcd. */
export function netnsProbe(ctx: ChaosContext): TraceProbe {
  const nsOf = (node: string) => ctx.nodes.find((n) => n.name === node)!.netns;
  return {
    nodes: ctx.nodes,
    podRoute: async (pod, ip) => firstLine(await ipIn(await podNetnsOf(ctx, pod.ip), 'route', 'get', ip)),
    nodeRoute: async (node, ip) => firstLine(await ipIn(nsOf(node), 'route', 'get', ip)),
    neigh: async (node, ip, dev) => (await ipIn(nsOf(node), 'neigh', 'show', ip, 'dev', dev).catch(() => '')).trim(),
    fdb: async (node) => (await run('ip', ['netns', 'exec', nsOf(node), 'bridge', 'fdb', 'show']).catch(() => '')).split('\n'),
    leases: () => leases(ctx),
  };
}

/** Where a pod behind node's cni0 is, from the node's ARP entry (its MAC) and cni0's FDB (its veth). */
async function bridgePort(p: TraceProbe, node: string, ip: string): Promise<{ text: string; decidedBy: Decision[] }> {
  const neigh = await p.neigh(node, ip, 'cni0');
  const mac = /lladdr (\S+)/.exec(neigh)?.[1];
  const port = mac && (await p.fdb(node)).find((l) => l.startsWith(`${mac} `) && / master cni0/.test(l));
  if (!mac) return { text: `no ARP entry for ${ip} on cni0 yet`, decidedBy: [] };
  return { text: `ARP ${neigh}${port ? `; cni0 FDB ${port}` : ''}`, decidedBy: [{ table: 'arp', entry: neigh }, ...(port ? [{ table: 'fdb' as const, entry: port }] : [])] };
}

const route = (entry: string): Decision => ({ table: 'route', entry });
const leaseEntry = (l: Lease): Decision => ({ table: 'lease', entry: `${l.subnet} → ${l.publicIP} (${l.backend}${l.vtepMAC ? `, VtepMAC ${l.vtepMAC}` : ''})` });

/** Decides the hops from src to dstIP (dst: the destination pod, when it is one) with what p reads. */
export async function traceHops(p: TraceProbe, src: TracePod, dstIP: string, dst?: TracePod): Promise<Hop[]> {
  const srcNode = p.nodes.find((n) => n.name === src.nodeName);
  if (!srcNode) throw new UserError(`pod ${src.name} runs on ${src.nodeName}, not a node of this local cluster`);
  const hops: Hop[] = [];
  const podRoute = await p.podRoute(src, dstIP);
  hops.push({ where: `pod ${src.namespace}/${src.name} (${src.ip}) eth0`, detail: podRoute, decidedBy: [route(podRoute)] });
  const nodeRoute = await p.nodeRoute(srcNode.name, dstIP);
  const from = await bridgePort(p, srcNode.name, src.ip);
  hops.push({ where: `${srcNode.name} cni0 → routing`, detail: `${nodeRoute} (from ${from.text})`, decidedBy: [...from.decidedBy, route(nodeRoute)] });
  const all = await p.leases();
  const lease = all.find((l) => inSubnet(dstIP, l.subnet));
  if (/ dev cni0/.test(nodeRoute)) {
    const to = await bridgePort(p, srcNode.name, dstIP);
    hops.push({ where: `${srcNode.name} cni0 (same node)`, detail: `bridged to ${dst ? `pod ${dst.name}` : dstIP}: ${to.text}`, decidedBy: to.decidedBy });
    return hops;
  }
  if (!lease) {
    hops.push({ where: `${srcNode.name}`, detail: `no flannel lease covers ${dstIP}: leaves the pod network (or is dropped)` });
    return hops;
  }
  const dev = / dev (\S+)/.exec(nodeRoute)?.[1] ?? '?';
  const via = / via (\S+)/.exec(nodeRoute)?.[1];
  if (dev.startsWith('flannel.')) {
    const neigh = via ? await p.neigh(srcNode.name, via, dev) : '';
    const mac = /lladdr (\S+)/.exec(neigh)?.[1] ?? lease.vtepMAC ?? '?';
    const fdb = (await p.fdb(srcNode.name)).find((l) => l.startsWith(`${mac} dev ${dev} `));
    hops.push({ where: `${srcNode.name} ${dev} (VXLAN encapsulation)`, detail: `inner dst MAC ${mac} (neighbour ${via ?? '?'}${neigh ? `: ${neigh}` : ''}); outer UDP 8472 to ${/dst (\S+)/.exec(fdb ?? '')?.[1] ?? lease.publicIP} (${fdb ? `FDB ${fdb}; ` : ''}flannel lease ${lease.subnet} → ${lease.publicIP})`,
      decidedBy: [...(neigh ? [{ table: 'arp' as const, entry: neigh }] : []), ...(fdb ? [{ table: 'fdb' as const, entry: fdb }] : []), leaseEntry(lease)] });
  } else if (dev.startsWith('flannel')) {
    hops.push({ where: `${srcNode.name} ${dev} (UDP encapsulation)`, detail: `raw IP in UDP 8285 to ${lease.publicIP} (flannel lease ${lease.subnet} → ${lease.publicIP})`, decidedBy: [leaseEntry(lease)] });
  } else {
    hops.push({ where: `${srcNode.name} ${dev} (host-gw)`, detail: `routed as is to ${via ?? lease.publicIP} (flannel lease ${lease.subnet} → ${lease.publicIP})`, decidedBy: [leaseEntry(lease)] });
  }
  const underlay = await p.nodeRoute(srcNode.name, lease.publicIP);
  hops.push({ where: 'underlay', detail: `${srcNode.underlayIP} → ${lease.publicIP}: ${underlay}`, decidedBy: [route(underlay)] });
  const remote = p.nodes.find((n) => n.underlayIP === lease.publicIP);
  if (!remote) {
    hops.push({ where: lease.publicIP, detail: 'a node outside this local cluster' });
    return hops;
  }
  const remoteRoute = await p.nodeRoute(remote.name, dstIP);
  hops.push({ where: `${remote.name} ${dev} (decapsulation) → routing`, detail: remoteRoute, decidedBy: [route(remoteRoute)] });
  const last = await bridgePort(p, remote.name, dstIP);
  hops.push({ where: dst ? `pod ${dst.namespace}/${dst.name} (${dstIP}) eth0` : dstIP, detail: `${dst ? `on ${dst.nodeName}: ` : ''}${last.text}`, decidedBy: last.decidedBy });
  return hops;
}

const tracePod = (p: PodJSON): TracePod => ({ namespace: p.metadata.namespace, name: p.metadata.name, ip: p.status.podIP!, nodeName: p.spec.nodeName! });

/** Traces a packet from pod `from` to `dest` (a pod name, ns/name or IP) in a local cluster. */
export async function tracePath(ctx: ChaosContext, from: string, dest: string): Promise<Hop[]> {
  const src = await findPod(ctx, from);
  if (!src?.status.podIP || !src.spec.nodeName) throw new UserError(`no running pod "${from}" with an IP`);
  const dst = await findPod(ctx, dest);
  const dstIP = dst?.status.podIP ?? (/^\d+\.\d+\.\d+\.\d+$/.test(dest) ? dest : undefined);
  if (!dstIP) throw new UserError(`"${dest}" is neither a pod with an IP nor an IPv4 address`);
  return traceHops(netnsProbe(ctx), tracePod(src), dstIP, dst?.status.podIP && dst.spec.nodeName ? tracePod(dst) : undefined);
}
