/** A small overlay cluster for tests: real etcd, a topology of namespaces, one real flanneld per node. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../../lib/testing/etcd.js';
import { Topology, type TopoNode, type TopologyOptions } from './topology.js';
import { startFlanneld, type FlanneldProc } from './flanneld-process.js';

/** Everything a backend test needs; close() removes it all. */
export class OverlayCluster {
  readonly procs = new Map<number, FlanneldProc>();
  private constructor(readonly etcd: TestEtcd, readonly client: Etcd3, readonly topo: Topology, readonly dir: string) {}

  /** Starts etcd with the network config and the topology with n nodes (no flanneld yet). */
  static async create(n: number, backend: Record<string, unknown>, topoOpts: TopologyOptions = {}): Promise<OverlayCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'ksimt-flannel-'));
    let etcd: TestEtcd | undefined;
    let topo: Topology | undefined;
    try {
      etcd = await startEtcd();
      const client = new Etcd3({ hosts: etcd.endpoint });
      await client.put('/coreos.com/network/config').value(JSON.stringify({ Network: '10.244.0.0/16', SubnetLen: 24, Backend: backend }));
      topo = await Topology.create(n, topoOpts);
      return new OverlayCluster(etcd, client, topo, dir);
    } catch (err) {
      await topo?.destroy();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** subnet.env path of a node. */
  subnetFile(node: TopoNode): string { return join(this.dir, `subnet-${node.index}.env`); }

  /** Starts flanneld for a node (extra flags appended). */
  async start(node: TopoNode, extra: string[] = []): Promise<FlanneldProc> {
    const endpoint = extra.includes('--etcd-endpoints') ? [] : ['--etcd-endpoints', this.etcd.endpoint];
    const p = await startFlanneld([...endpoint, '--netns', node.ns, '--public-ip', node.ip, ...extra], this.subnetFile(node));
    this.procs.set(node.index, p);
    return p;
  }

  /** Starts flanneld on every node, then gives each node a pod. */
  async startAll(extra: (node: TopoNode) => string[] = () => []): Promise<void> {
    for (const n of this.topo.nodes) await this.start(n, extra(n));
    for (const n of this.topo.nodes) await this.topo.addPod(n, this.subnetFile(n));
  }

  /** Fetches a node's /metrics text. */
  async metrics(node: TopoNode): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.procs.get(node.index)!.port}/metrics`)).text();
  }

  /** Stops every flanneld, deletes the namespaces, stops etcd, removes temp files. */
  async close(): Promise<void> {
    for (const p of this.procs.values()) await p.stop();
    this.client.close();
    await this.topo.destroy();
    await this.etcd.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
