/**
 * The dashboard's `kubesim trace`: the same hop logic (cli/chaos/trace.ts traceHops), fed from
 * each node's flanneld /tables (routes, neighbours, FDB, lease: read-only, in the node's own
 * namespace) instead of `ip netns exec`, which a pod cannot do. The pod's own table is not
 * visible from there: its hop shows the route the CNI plugin gave it (to cni0) and the node's
 * ARP/FDB entries for it.
 */
import { traceHops, type Hop, type Lease, type TracePod, type TraceProbe } from '../../cli/chaos/trace.js';
import { ApiError } from '../../lib/errors.js';
import type { NodeTables } from '../../flanneld/tables.js';
import type { ClusterHub } from './hub.js';
import type { NodeAgents } from './node-agents.js';
import { slimKey } from './slim.js';

async function fetchTables(base: string | undefined, node: string, dsts: string[], signal: AbortSignal): Promise<NodeTables> {
  if (!base) throw new ApiError('Unavailable', `no flanneld address is known for node ${node}`);
  const q = new URLSearchParams(dsts.map((d) => ['dst', d]));
  const res = await fetch(`${base}/tables?${q}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) }).catch((err: Error) => {
    throw new ApiError('Unavailable', `flanneld of ${node} (${base}) did not answer: ${err.message}`);
  });
  if (!res.ok) throw new ApiError('Unavailable', `flanneld of ${node} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as NodeTables;
}

/** A TraceProbe over the nodes' flanneld /tables (one fetch per node and destination, cached per trace). */
export function httpProbe(agents: NodeAgents, signal: AbortSignal): TraceProbe {
  const bases = agents.flanneld();
  const ips = agents.nodeIPs();
  const cache = new Map<string, Promise<NodeTables>>();
  const tables = (node: string, dst?: string) => {
    const k = `${node} ${dst ?? ''}`;
    if (!cache.has(k)) cache.set(k, fetchTables(bases[node], node, dst ? [dst] : [], signal));
    return cache.get(k)!;
  };
  return {
    nodes: Object.entries(ips).map(([name, underlayIP]) => ({ name, underlayIP })),
    async podRoute(pod) {
      const t = await tables(pod.nodeName);
      const gw = /\scni0\s+inet\s+([\d.]+)\//.exec(t.addrs.find((l) => / cni0 /.test(l)) ?? '')?.[1] ?? '?';
      return `via ${gw} dev eth0: the pod's route to its node's cni0 (set by the CNI plugin; the pod's own table is not readable from outside)`;
    },
    nodeRoute: async (node, ip) => (await tables(node, ip)).routes[ip] ?? '',
    neigh: async (node, ip, dev) => (await tables(node)).neigh.find((l) => l.startsWith(`${ip} dev ${dev} `)) ?? '',
    fdb: async (node) => (await tables(node)).fdb,
    async leases() {
      const all = await Promise.all(Object.keys(bases).map((n) => tables(n).then((t) => t.lease, () => undefined)));
      return all.filter((l): l is Lease => !!l);
    },
  };
}

function podOf(hub: ClusterHub, ref: string, what: string): TracePod {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : ['default', ref];
  const v = hub.snapshotOne(slimKey('Pod', ns, name));
  if (!v) throw new ApiError('NotFound', `${what}: pod ${ns}/${name} not found`);
  if (!v.ip || !v.node) throw new ApiError('BadRequest', `${what}: pod ${ns}/${name} has no IP or node yet`);
  return { namespace: ns, name, ip: String(v.ip), nodeName: String(v.node) };
}

/** Traces from pod `from` to pod `to` (`ns/name`), hop by hop. */
export async function tracePods(hub: ClusterHub, agents: NodeAgents, from: string, to: string, signal: AbortSignal): Promise<Hop[]> {
  const src = podOf(hub, from, 'from');
  const dst = podOf(hub, to, 'to');
  try {
    return await traceHops(httpProbe(agents, signal), src, dst.ip, dst);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('BadRequest', (err as Error).message);
  }
}
