/**
 * The cluster as one scheduling cycle sees it: a NodeInfo per node, built from node and pod
 * lists. The scheduler keeps one Snapshot up to date from its informers and adds "assumed"
 * pods to it right after choosing a node, so the next pod already sees their requests.
 */
import { NodeInfo } from './node-info.js';
import { podKey, type Node, type Pod } from './types.js';
import { VolumeObjects } from './volume-objects.js';

/** NodeInfos by name plus where each pod is. */
export class Snapshot {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podNode = new Map<string, string>();
  /** Pods whose node is not (yet) known; re-attached when the node appears. */
  private readonly orphans = new Map<string, Pod>();
  private list: NodeInfo[] | null = null;
  /** Namespace labels by name, for affinity terms with a namespaceSelector (kept by the scheduler's namespace informer). */
  readonly namespaceLabels = new Map<string, Record<string, string>>();
  /** Claims, volumes and storage classes (kept by the scheduler's informers) for VolumeBinding. */
  readonly volumes = new VolumeObjects();

  /** Builds a snapshot from nodes and pods (pods without `spec.nodeName` are ignored). */
  static from(nodes: Node[], pods: Pod[]): Snapshot {
    const s = new Snapshot();
    for (const n of nodes) s.upsertNode(n);
    for (const p of pods) s.upsertPod(p);
    return s;
  }

  /** All NodeInfos, in a stable order (node add order). */
  nodeInfos(): NodeInfo[] {
    if (!this.list) this.list = [...this.nodes.values()];
    return this.list;
  }

  /** The NodeInfo of a node, if known. */
  get(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  /** Number of nodes. */
  get size(): number { return this.nodes.size; }

  /** Adds or replaces a node, keeping the pods already on it. */
  upsertNode(node: Node): void {
    const name = node.metadata.name;
    const old = this.nodes.get(name);
    const info = new NodeInfo(node);
    if (old) for (const p of old.pods.values()) info.addPod(p.pod);
    for (const [key, pod] of this.orphans) {
      if (pod.spec.nodeName === name) { info.addPod(pod); this.orphans.delete(key); }
    }
    this.nodes.set(name, info);
    this.list = null;
  }

  /** Removes a node; its pods wait as orphans in case it comes back. */
  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    for (const p of info.pods.values()) this.orphans.set(p.key, p.pod);
    this.nodes.delete(name);
    this.list = null;
  }

  /** Adds or moves a pod to `nodeName` (defaults to `pod.spec.nodeName`); unbound pods are removed. */
  upsertPod(pod: Pod, nodeName = pod.spec.nodeName): void {
    const key = podKey(pod);
    this.removePod(pod);
    if (!nodeName || isTerminated(pod)) return;
    const info = this.nodes.get(nodeName);
    if (!info) { this.orphans.set(key, { ...pod, spec: { ...pod.spec, nodeName } }); return; }
    info.addPod(pod);
    this.podNode.set(key, nodeName);
  }

  /** Removes a pod wherever it is. */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    this.orphans.delete(key);
    const at = this.podNode.get(key);
    if (at === undefined) return;
    this.nodes.get(at)?.removePod(pod);
    this.podNode.delete(key);
  }

  /** The node a pod is on (bound or assumed), if any. */
  nodeOf(key: string): string | undefined {
    return this.podNode.get(key);
  }
}

/** Succeeded/Failed pods no longer hold resources on their node. */
export function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
