/**
 * NodeInfo: one node plus what the scheduler derives from the pods bound (or assumed) on it —
 * summed requests, host ports in use, and the pods that carry affinity terms.
 */
import { emptyResource, nodeAllocatable, podNonZeroRequests, podRequests, type Resource } from './resources.js';
import { podKey, type Node, type Pod } from './types.js';

/** One host port a pod uses: protocol, host IP (0.0.0.0 = all) and port. */
export interface HostPort { protocol: string; ip: string; port: number }

/** A pod with the values the plugins need precomputed once. */
export interface PodInfo {
  pod: Pod;
  key: string;
  requests: Resource;
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
}

const podInfoCache = new WeakMap<Pod, PodInfo>();

/** The PodInfo of a pod object (cached per object: informer objects are immutable). */
export function podInfoOf(pod: Pod): PodInfo {
  let info = podInfoCache.get(pod);
  if (!info) {
    info = { pod, key: podKey(pod), requests: podRequests(pod), nonZero: podNonZeroRequests(pod), hostPorts: podHostPorts(pod) };
    podInfoCache.set(pod, info);
  }
  return info;
}

/** The host ports a pod asks for (containers' ports with hostPort > 0). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol || 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  return out;
}

/** True when two host ports collide (same protocol and port, and the IPs overlap). */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');
}

function hasRequiredAntiAffinity(pod: Pod): boolean {
  return (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

function hasPodAffinity(pod: Pod): boolean {
  return !!(pod.spec.affinity?.podAffinity || pod.spec.affinity?.podAntiAffinity);
}

/** A node and the pods on it, with running totals kept as pods are added and removed. */
export class NodeInfo {
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resource = emptyResource();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly allocatable: Resource;
  readonly usedPorts: HostPort[] = [];
  /** Pods here with required anti-affinity terms (InterPodAffinity checks them against the incoming pod). */
  readonly podsWithRequiredAntiAffinity = new Set<string>();
  /** Pods here with any pod (anti-)affinity (InterPodAffinity scoring reads their terms). */
  readonly podsWithAffinity = new Set<string>();

  constructor(readonly node: Node) {
    this.allocatable = nodeAllocatable(node);
  }

  /** The node's name. */
  get name(): string { return this.node.metadata.name; }

  /** Adds a pod's requests and ports (idempotent per pod key). */
  addPod(pod: Pod): void {
    const info = podInfoOf(pod);
    if (this.pods.has(info.key)) this.removePod(this.pods.get(info.key)!.pod);
    this.pods.set(info.key, info);
    this.account(info, 1);
    this.usedPorts.push(...info.hostPorts);
    if (hasRequiredAntiAffinity(pod)) this.podsWithRequiredAntiAffinity.add(info.key);
    if (hasPodAffinity(pod)) this.podsWithAffinity.add(info.key);
  }

  /** Removes a pod (by key); returns false when it was not here. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const info = this.pods.get(key);
    if (!info) return false;
    this.pods.delete(key);
    this.account(info, -1);
    for (const hp of info.hostPorts) {
      const i = this.usedPorts.findIndex((u) => u.port === hp.port && u.protocol === hp.protocol && u.ip === hp.ip);
      if (i >= 0) this.usedPorts.splice(i, 1);
    }
    this.podsWithRequiredAntiAffinity.delete(key);
    this.podsWithAffinity.delete(key);
    return true;
  }

  private account(info: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * info.requests.milliCPU;
    r.memory += sign * info.requests.memory;
    r.ephemeralStorage += sign * info.requests.ephemeralStorage;
    for (const [k, v] of Object.entries(info.requests.scalar)) r.scalar[k] = (r.scalar[k] ?? 0) + sign * v;
    this.nonZeroRequested.milliCPU += sign * info.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * info.nonZero.memory;
  }
}
