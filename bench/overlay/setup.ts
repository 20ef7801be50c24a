/** The overlay benchmark's modes and how one is brought up: namespaces, etcd and flanneld daemons. */
import { OverlayCluster } from '../../flanneld/testing/cluster.js';
import { Topology } from '../../flanneld/testing/topology.js';
import { waitFor } from '../../lib/testing/wait.js';

/** Each mode: the flannel backend config and extra flanneld flags; none = plain bridge (node ↔ node). */
export const MODES: Record<string, { backend?: Record<string, unknown>; flags?: string[] }> = {
  'bridge': {},
  'kernel-vxlan': { backend: { Type: 'vxlan', VNI: 1 }, flags: ['--vxlan-mode', 'kernel'] },
  'userspace-vxlan': { backend: { Type: 'vxlan', VNI: 1 } },
  'udp': { backend: { Type: 'udp' } },
  // The same datapaths one packet per read/write (no TSO/GSO/GRO): the per-syscall ceiling.
  'userspace-vxlan-pp': { backend: { Type: 'vxlan', VNI: 1 }, flags: ['--offload', 'off'] },
  'udp-pp': { backend: { Type: 'udp' }, flags: ['--offload', 'off'] },
  // The userspace datapaths without the native fast path: every packet through TypeScript (before/after).
  'userspace-vxlan-js': { backend: { Type: 'vxlan', VNI: 1, FastPath: false } },
  'udp-js': { backend: { Type: 'udp', FastPath: false } },
  // The fast path busy-polling 200 µs after each batch (SpinMicros), so a reply finds the forwarder awake.
  'userspace-vxlan-spin': { backend: { Type: 'vxlan', VNI: 1, SpinMicros: 200 } },
  'udp-spin': { backend: { Type: 'udp', SpinMicros: 200 } },
  // The fast path's thread under SCHED_OTHER (SchedBatch false), as before: its wake-ups preempt the sender.
  'userspace-vxlan-nobatch': { backend: { Type: 'vxlan', VNI: 1, SchedBatch: false } },
  'udp-nobatch': { backend: { Type: 'udp', SchedBatch: false } },
  'host-gw': { backend: { Type: 'host-gw' } },
};

/** Where to measure: the iperf/echo pods and every namespace whose drops count. */
export interface Site { serverNs: string; clientNs: string; serverIp: string; nodeNss: string[]; allNss: string[] }

/** A mode brought up: where to measure, the daemons' pids, their /metrics (node a, node b), and the teardown. */
export interface Running { site: Site; pids: number[]; metrics?: () => Promise<[string, string]>; close(): Promise<void> }

/** Brings a mode up (two nodes, a pod on each, flanneld on each, pods reaching each other). */
export async function startMode(mode: string, rps: boolean): Promise<Running> {
  const spec = MODES[mode];
  if (!spec) throw new Error(`unknown mode ${mode}: one of ${Object.keys(MODES).join(', ')}`);
  if (!spec.backend) {
    const t = await Topology.create(2, { podRps: rps });
    const [a, b] = t.nodes;
    const site = { serverNs: b.ns, clientNs: a.ns, serverIp: b.ip, nodeNss: [a.ns, b.ns], allNss: [t.hub, a.ns, b.ns] };
    return { site, pids: [], close: () => t.destroy() };
  }
  const c = await OverlayCluster.create(2, spec.backend, { podRps: rps });
  try {
    await c.startAll(() => spec.flags ?? []);
    const [a, b] = c.topo.nodes;
    await waitFor('pods reach each other', () => c.topo.ping(a, b), { timeoutMs: 20_000 });
    const site = { serverNs: b.podNs!, clientNs: a.podNs!, serverIp: b.podIp!, nodeNss: [a.ns, b.ns], allNss: [c.topo.hub, a.ns, b.ns, a.podNs!, b.podNs!] };
    return {
      site, pids: [...c.procs.values()].map((p) => p.child.pid!),
      metrics: async () => [await c.metrics(a), await c.metrics(b)], close: () => c.close(),
    };
  } catch (err) {
    await c.close();
    throw err;
  }
}
