/**
 * Which object changes deserve a scheduling retry. Our own writes (status conditions,
 * annotations) and kubelet heartbeats come back as updates; retrying on them would spin.
 */
import type { Node, Pod } from './framework/types.js';

/** True when a node change can make a pod fit: labels, taints, cordon or allocatable changed. */
export function nodeChangeMayHelp(old: Node, node: Node): boolean {
  return JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(node.metadata.labels ?? {})
    || JSON.stringify(old.spec ?? {}) !== JSON.stringify(node.spec ?? {})
    || JSON.stringify(old.status?.allocatable ?? {}) !== JSON.stringify(node.status?.allocatable ?? {});
}

/** True when an unbound pod changed in a way scheduling reads (spec or labels), not only status or annotations. */
export function podSpecChanged(old: Pod, pod: Pod): boolean {
  return JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})
    || JSON.stringify(old.spec) !== JSON.stringify(pod.spec);
}
