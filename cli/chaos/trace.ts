/**
 * `kubesim trace`: the path a packet from a pod to a destination takes, hop by hop, read from
 * what the kernel and flanneld say (routes and neighbours in the pod and node namespaces, the
 * flannel.1 FDB, the subnet leases in etcd), not from what the design says it should be.
 */
import { Etcd3 } from 'etcd3';
import { ipIn, run } from '../../lib/testing/netns.js';
import { UserError } from '../commands/up.js';
import type { ChaosContext } from './context.js';

/** One hop: where the packet is and what sends it on. */
export interface Hop { where: string; detail: string }

interface PodJSON { metadata: { name: string; namespace: string }; spec: { nodeName?: string }; status: { podIP?: string } }
interface Lease { subnet: string; publicIP: string; backend: string; vtepMAC?: string }

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
  const etcd = new Etcd3({ hosts: ctx.etcdEndpoints, dialTimeout: 3000 });
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

function inSubnet(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
  const mask = Number(len) === 0 ? 0 : (~0 << (32 - Number(len))) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(base) & mask) >>> 0);
}

const routeGet = async (ns: string, ip: string): Promise<string> => (await ipIn(ns, 'route', 'get', ip)).split('\n')[0].trim();

/** Traces a packet from pod `from` to `dest` (a pod name, ns/name or IP). */
export async function tracePath(ctx: ChaosContext, from: string, dest: string): Promise<Hop[]> {
  const src = await findPod(ctx, from);
  if (!src?.status.podIP || !src.spec.nodeName) throw new UserError(`no running pod "${from}" with an IP`);
  const dst = await findPod(ctx, dest);
  const dstIP = dst?.status.podIP ?? (/^\d+\.\d+\.\d+\.\d+$/.test(dest) ? dest : undefined);
  if (!dstIP) throw new UserError(`"${dest}" is neither a pod with an IP nor an IPv4 address`);
  const srcNode = ctx.nodes.find((n) => n.name === src.spec.nodeName);
  if (!srcNode) throw new UserError(`pod ${from} runs on ${src.spec.nodeName}, not a node of this local cluster`);
  const hops: Hop[] = [];
  const srcNs = await podNetnsOf(ctx, src.status.podIP);
  hops.push({ where: `pod ${src.metadata.namespace}/${src.metadata.name} (${src.status.podIP}) eth0`, detail: await routeGet(srcNs, dstIP) });
  const nodeRoute = await routeGet(srcNode.netns, dstIP);
  hops.push({ where: `${srcNode.name} cni0 → routing`, detail: nodeRoute });
  const all = await leases(ctx);
  const lease = all.find((l) => inSubnet(dstIP, l.subnet));
  if (/ dev cni0/.test(nodeRoute)) {
    hops.push({ where: `${srcNode.name} cni0 (same node)`, detail: `bridged to ${dst ? `pod ${dst.metadata.name}` : dstIP}` });
    return hops;
  }
  if (!lease) {
    hops.push({ where: `${srcNode.name}`, detail: `no flannel lease covers ${dstIP}: leaves the pod network (or is dropped)` });
    return hops;
  }
  const dev = / dev (\S+)/.exec(nodeRoute)?.[1] ?? '?';
  const via = / via (\S+)/.exec(nodeRoute)?.[1];
  if (dev.startsWith('flannel.')) {
    const neigh = via ? (await ipIn(srcNode.netns, 'neigh', 'show', via, 'dev', dev).catch(() => '')).trim() : '';
    const mac = /lladdr (\S+)/.exec(neigh)?.[1] ?? lease.vtepMAC ?? '?';
    const fdb = (await run('ip', ['netns', 'exec', srcNode.netns, 'bridge', 'fdb', 'show', 'dev', dev]).catch(() => '')).split('\n').find((l) => l.startsWith(mac));
    hops.push({ where: `${srcNode.name} ${dev} (VXLAN encapsulation)`, detail: `inner dst MAC ${mac} (neighbour ${via ?? '?'}${neigh ? `: ${neigh}` : ''}); outer UDP 8472 to ${/dst (\S+)/.exec(fdb ?? '')?.[1] ?? lease.publicIP} (${fdb ? 'FDB' : 'flannel lease'} ${lease.subnet})` });
  } else if (dev.startsWith('flannel')) {
    hops.push({ where: `${srcNode.name} ${dev} (UDP encapsulation)`, detail: `raw IP in UDP 8285 to ${lease.publicIP} (flannel lease ${lease.subnet})` });
  } else {
    hops.push({ where: `${srcNode.name} ${dev} (host-gw)`, detail: `routed as is to ${via ?? lease.publicIP}` });
  }
  hops.push({ where: 'underlay', detail: `${srcNode.underlayIP} → ${lease.publicIP}: ${await routeGet(srcNode.netns, lease.publicIP)}` });
  const remote = ctx.nodes.find((n) => n.underlayIP === lease.publicIP);
  if (!remote) {
    hops.push({ where: lease.publicIP, detail: 'a node outside this local cluster' });
    return hops;
  }
  hops.push({ where: `${remote.name} ${dev} (decapsulation) → routing`, detail: await routeGet(remote.netns, dstIP) });
  hops.push({ where: dst ? `pod ${dst.metadata.namespace}/${dst.metadata.name} (${dstIP}) eth0` : dstIP, detail: dst ? `on ${dst.spec.nodeName}` : 'destination' });
  return hops;
}
