/**
 * Resource arithmetic as the scheduler does it: a pod's effective requests
 * (sum of app containers, max with each init container, plus overhead), the "non-zero"
 * requests used for scoring, and a node's allocatable.
 */
import { quantityValue } from './quantity.js';
import type { Container, Node, Pod } from './types.js';

/** Requests or allocatable in base units: millicores, bytes, counts. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pods a node allows (allocatable only). */
  allowedPods: number;
  /** Extended resources (e.g. `nvidia.com/gpu`), in their integer units. */
  scalar: Record<string, number>;
}

/** Kubernetes' defaults for containers without requests, used only when scoring (100m CPU, 200 MiB). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** An all-zero Resource. */
export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPods: 0, scalar: {} };
}

function addList(r: Resource, list: Record<string, string | number> | undefined): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU += quantityValue(q, true);
    else if (name === 'memory') r.memory += quantityValue(q);
    else if (name === 'ephemeral-storage') r.ephemeralStorage += quantityValue(q);
    else if (name === 'pods') r.allowedPods += quantityValue(q);
    else if (name.includes('/') || name.startsWith('hugepages-')) r.scalar[name] = (r.scalar[name] ?? 0) + quantityValue(q);
  }
}

function maxInto(r: Resource, o: Resource): void {
  r.milliCPU = Math.max(r.milliCPU, o.milliCPU);
  r.memory = Math.max(r.memory, o.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, o.ephemeralStorage);
  for (const [k, v] of Object.entries(o.scalar)) r.scalar[k] = Math.max(r.scalar[k] ?? 0, v);
}

// The apiserver defaults requests to limits when only limits are set; do the same here so a
// pod written straight to etcd (or by an older apiserver) is accounted for identically.
function containerRequests(c: Container): Record<string, string | number> | undefined {
  const req = c.resources?.requests;
  const lim = c.resources?.limits;
  if (!lim) return req;
  return { ...lim, ...(req ?? {}) };
}

/** A pod's effective requests: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: Pod): Resource {
  const r = emptyResource();
  for (const c of pod.spec.containers ?? []) addList(r, containerRequests(c));
  // Sidecars (init containers with restartPolicy Always) run alongside the app containers.
  const sidecars = emptyResource();
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      addList(r, containerRequests(c));
      addList(sidecars, containerRequests(c));
    } else {
      const withSidecars = emptyResource();
      addList(withSidecars, containerRequests(c));
      withSidecars.milliCPU += sidecars.milliCPU;
      withSidecars.memory += sidecars.memory;
      maxInto(r, withSidecars);
    }
  }
  addList(r, pod.spec.overhead);
  return r;
}

/** CPU and memory requests with Kubernetes' per-container defaults for unset values (scoring only). */
export function podNonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  let milliCPU = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    const req = containerRequests(c) ?? {};
    milliCPU += req.cpu !== undefined ? quantityValue(req.cpu, true) : DEFAULT_MILLI_CPU_REQUEST;
    memory += req.memory !== undefined ? quantityValue(req.memory) : DEFAULT_MEMORY_REQUEST;
  }
  for (const c of pod.spec.initContainers ?? []) {
    const req = containerRequests(c) ?? {};
    const cpu = req.cpu !== undefined ? quantityValue(req.cpu, true) : DEFAULT_MILLI_CPU_REQUEST;
    const mem = req.memory !== undefined ? quantityValue(req.memory) : DEFAULT_MEMORY_REQUEST;
    milliCPU = Math.max(milliCPU, cpu);
    memory = Math.max(memory, mem);
  }
  if (pod.spec.overhead) {
    if (pod.spec.overhead.cpu !== undefined) milliCPU += quantityValue(pod.spec.overhead.cpu, true);
    if (pod.spec.overhead.memory !== undefined) memory += quantityValue(pod.spec.overhead.memory);
  }
  return { milliCPU, memory };
}

/** A node's allocatable (falling back to capacity, as the kubelet reports both). */
export function nodeAllocatable(node: Node): Resource {
  const r = emptyResource();
  addList(r, node.status?.allocatable ?? node.status?.capacity);
  return r;
}
