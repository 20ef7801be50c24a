/**
 * Test topology: a hub namespace with a bridge (the underlay), node namespaces plugged into
 * it (10.200.0.11+), and a pod namespace behind each node's cni0. Nothing touches the root
 * namespace; destroy() deletes every namespace (and so every link) it made.
 */
import { cpus } from 'node:os';
import { createBridge, createNetns, createVeth, deleteNetns, execIn, ipIn, uniqueName, attachToBridge, addAddress } from '../../lib/testing/netns.js';
import { readSubnetEnv } from '../subnet/subnet-env.js';
import { probe, startProbeServer, PROBE_PORT } from './probe.js';

/** One node of the topology. */
export interface TopoNode {
  index: number;
  ns: string;
  /** Underlay address (on eth0). */
  ip: string;
  /** Pod namespace and address, once addPod ran. */
  podNs?: string;
  podIp?: string;
}

/** How the topology's links behave. */
export interface TopologyOptions {
  /**
   * Receive packet steering on both ends of each pod's veth: a flow is always processed on the
   * same CPU, as RSS does on a real NIC. Without it a veth queues each packet on the backlog of
   * whichever CPU the sending process runs on, so a pod that migrates between CPUs while a
   * backlog waits for ksoftirqd (a loaded machine) reorders its own flow before any overlay
   * sees it. (The underlay veths are left alone: steering them costs the tunnels throughput.)
   */
  podRps?: boolean;
}

/** Turns on receive packet steering over all CPUs for a link's receive queue. */
async function steerFlows(ns: string, dev: string): Promise<void> {
  const mask = ((1 << Math.min(cpus().length, 31)) - 1).toString(16);
  // sysfs shows the links of the namespace it was mounted in: ip netns exec mounts the right one.
  await execIn(ns, 'sh', ['-c', `echo ${mask} > /sys/class/net/${dev}/queues/rx-0/rps_cpus`]);
}

/** Namespaces for an overlay test; always call destroy() in a finally. */
export class Topology {
  readonly id = uniqueName('ksimt-');
  readonly hub = `${this.id}-hub`;
  readonly nodes: TopoNode[] = [];
  private readonly made: string[] = [];

  private constructor(private readonly opts: TopologyOptions) {}

  /** Creates the hub and n nodes. */
  static async create(n: number, opts: TopologyOptions = {}): Promise<Topology> {
    const t = new Topology(opts);
    try {
      await createNetns(t.hub);
      t.made.push(t.hub);
      await createBridge(t.hub, 'br0');
      for (let i = 0; i < n; i++) await t.addNode();
    } catch (err) {
      await t.destroy();
      throw err;
    }
    return t;
  }

  /** Adds a node namespace on the underlay bridge. */
  async addNode(): Promise<TopoNode> {
    const index = this.nodes.length;
    const ns = `${this.id}-n${index}`;
    await createNetns(ns, { forward: true });
    this.made.push(ns);
    await createVeth('eth0', ns, `n${index}`, this.hub);
    await attachToBridge(this.hub, `n${index}`, 'br0');
    const ip = `10.200.0.${11 + index}`;
    await addAddress(ns, 'eth0', `${ip}/24`);
    const node: TopoNode = { index, ns, ip };
    this.nodes.push(node);
    return node;
  }

  /**
   * Adds a pod behind the node's cni0, addressed from the node's subnet.env (as the kubelet's
   * plugin does): cni0 = .1, pod = .2, pod default route via cni0, MTU from FLANNEL_MTU.
   */
  async addPod(node: TopoNode, subnetFile: string): Promise<string> {
    const env = await readSubnetEnv(subnetFile);
    const m = /^(\d+\.\d+\.\d+)\.1\/(\d+)$/.exec(env.FLANNEL_SUBNET ?? '');
    if (!m) throw new Error(`no FLANNEL_SUBNET in ${subnetFile}`);
    const podNs = `${this.id}-p${node.index}`;
    await createNetns(podNs);
    this.made.push(podNs);
    await createBridge(node.ns, 'cni0', `${m[1]}.1/${m[2]}`);
    await createVeth('eth0', podNs, 'vethp', node.ns);
    if (this.opts.podRps) await Promise.all([steerFlows(podNs, 'eth0'), steerFlows(node.ns, 'vethp')]);
    await attachToBridge(node.ns, 'vethp', 'cni0');
    await ipIn(podNs, 'link', 'set', 'eth0', 'mtu', env.FLANNEL_MTU);
    await addAddress(podNs, 'eth0', `${m[1]}.2/${m[2]}`);
    await ipIn(podNs, 'route', 'add', 'default', 'via', `${m[1]}.1`);
    node.podNs = podNs;
    node.podIp = `${m[1]}.2`;
    await startProbeServer(podNs, PROBE_PORT); // killed with the namespace
    return node.podIp;
  }

  /** Runs a command in a namespace. */
  exec(ns: string, cmd: string, args: string[] = [], timeoutMs = 30_000): Promise<string> {
    return execIn(ns, cmd, args, { timeoutMs });
  }

  /** True when a small TCP exchange from pod `from` to pod `to` succeeds (ping is not installed everywhere). */
  async ping(from: TopoNode, to: TopoNode): Promise<boolean> {
    return probe(from.podNs!, to.podIp!, PROBE_PORT, 1000, 2000).then(() => true, () => false);
  }

  /** Deletes every namespace made (killing what runs inside). */
  async destroy(): Promise<void> {
    for (const ns of this.made.reverse()) await deleteNetns(ns);
    this.made.length = 0;
  }
}
