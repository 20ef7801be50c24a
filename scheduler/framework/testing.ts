/** Builders of hand-made nodes and pods for the scheduler's unit tests and benches. */
import { CycleState, isFilter, isPreFilter, isPreScore, isScore, type Plugin } from './interfaces.js';
import type { Snapshot } from './snapshot.js';
import type { Affinity, Node, Pod, Taint, Toleration, TopologySpreadConstraint } from './types.js';

/** Options of `makeNode`. */
export interface NodeOpts { cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean }

/** A Node with allocatable cpu/memory/pods (defaults 4 CPU, 8Gi, 110 pods) and the hostname label. */
export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) } },
  };
}

/** Options of `makePod`. */
export interface PodOpts {
  namespace?: string; cpu?: string; memory?: string; nodeName?: string; labels?: Record<string, string>;
  hostPorts?: number[]; nodeSelector?: Record<string, string>; affinity?: Affinity; tolerations?: Toleration[];
  spread?: TopologySpreadConstraint[]; priority?: number; owner?: string; uid?: string;
}

/** A one-container Pod with optional requests, host ports and scheduling constraints. */
export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}`, labels: o.labels,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: o.owner, controller: true }] : undefined,
    },
    spec: {
      schedulerName: 'default-scheduler',
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: o.affinity,
      tolerations: o.tolerations,
      topologySpreadConstraints: o.spread,
      priority: o.priority,
      containers: [{
        name: 'c', image: 'nginx',
        resources: Object.keys(requests).length ? { requests } : undefined,
        ports: o.hostPorts?.map((p) => ({ containerPort: p, hostPort: p })),
      }],
    },
    status: { phase: 'Pending' },
  };
}

/** Runs one plugin's PreFilter (if any) then Filter for every node; returns node → verdict ("passed" or reasons). */
export function filterAll(plugin: Plugin, pod: Pod, snapshot: Snapshot): Record<string, string> {
  const state = new CycleState();
  if (isPreFilter(plugin)) {
    const s = plugin.preFilter(state, pod, snapshot);
    if (s.code !== 'Success') throw new Error(`PreFilter ${s.code}: ${s.reasons.join(', ')}`);
  }
  if (!isFilter(plugin)) throw new Error(`${plugin.name} has no Filter point`);
  const out: Record<string, string> = {};
  for (const n of snapshot.nodeInfos()) {
    const s = plugin.filter(state, pod, n, snapshot);
    out[n.name] = s.code === 'Success' ? 'passed' : `${s.code}: ${s.reasons.join(', ')}`;
  }
  return out;
}

/** Runs one plugin's PreScore/Score/NormalizeScore over all nodes; returns node → normalized score. */
export function scoreAll(plugin: Plugin, pod: Pod, snapshot: Snapshot): Record<string, number> {
  const state = new CycleState();
  if (isPreScore(plugin)) plugin.preScore(state, pod, snapshot.nodeInfos(), snapshot);
  if (!isScore(plugin)) throw new Error(`${plugin.name} has no Score point`);
  const scores = snapshot.nodeInfos().map((n) => ({ name: n.name, score: plugin.score(state, pod, n, snapshot) }));
  plugin.normalizeScores?.(state, pod, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}
