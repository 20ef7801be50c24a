/**
 * Registers the Node object and keeps its status fresh (Kubernetes' kubelet_node_status.go):
 * capacity/allocatable from the machine, addresses, nodeInfo, and a Ready condition whose
 * lastHeartbeatTime the node controller watches.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus, totalmem, release } from 'node:os';
import type { Node } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { isApiError } from '../lib/errors.js';
import { rfc3339 } from './pod-status.js';

/** What the node reports about itself. */
export interface NodeIdentity { name: string; ip: string; podCIDR?: string; labels?: Record<string, string>; maxPods?: number; kubeletPort?: number }

/** Capacity of this machine as Kubernetes quantities. */
export function machineCapacity(maxPods = 110): Record<string, string> {
  return { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: String(maxPods), 'ephemeral-storage': '20Gi' };
}

/** The node status the kubelet posts. */
export function nodeStatus(id: NodeIdentity, prev: Node['status'] | undefined, nowMs: number): NonNullable<Node['status']> {
  const now = rfc3339(nowMs);
  const cond = (type: string, status: string, reason: string, message: string) => {
    const old = prev?.conditions?.find((c) => c.type === type);
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now };
  };
  const cap = machineCapacity(id.maxPods);
  return {
    capacity: cap, allocatable: cap,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: id.ip }, { type: 'Hostname', address: id.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: id.name, systemUUID: id.name, bootID: '', kernelVersion: release(), osImage: 'kubesim node', containerRuntimeVersion: 'kubesim://0.1.0',
      kubeletVersion: 'v1.32.0-kubesim', kubeProxyVersion: 'v1.32.0-kubesim', operatingSystem: 'linux', architecture: 'amd64',
    },
  } as NonNullable<Node['status']>;
}

/** Creates the Node if missing, then writes its status. */
export async function registerNode(client: ApiClient, id: NodeIdentity): Promise<void> {
  try {
    await client.create({ resource: 'nodes' }, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: id.name, labels: { 'kubernetes.io/hostname': id.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', ...(id.labels ?? {}) } },
      spec: id.podCIDR ? { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] } : {},
    } as Node);
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
  await heartbeat(client, id);
}

/**
 * Registers the node until it works, as the kubelet does ("Unable to register node with API
 * server", then again after 100 ms doubling up to 7 s): an apiserver still starting, busy or not
 * yet granting this node its rights does not end the kubelet. Throws only when signal aborts.
 */
export async function registerNodeUntilDone(client: ApiClient, id: NodeIdentity, signal: AbortSignal, warn: (msg: string, fields: Record<string, string | number>) => void): Promise<void> {
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 7000)) {
    try {
      await registerNode(client, id);
      return;
    } catch (err) {
      if (signal.aborted) throw err;
      warn('Unable to register node with API server', { node: id.name, err: (err as Error).message, retryInMs: delayMs });
    }
    await sleep(delayMs, undefined, { signal });
  }
}

/** Tries per status update, as the kubelet's nodeStatusUpdateRetry. */
const STATUS_UPDATE_TRIES = 5;

/** Refreshes the node's status (conditions with a new heartbeat time); a write that lost a race to another writer (the node controller marking it Unknown) is retried at once on a fresh read. */
export async function heartbeat(client: ApiClient, id: NodeIdentity): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = await client.get<Node>({ resource: 'nodes', name: id.name });
    const next = structuredClone(node);
    next.status = { ...(node.status ?? {}), ...nodeStatus(id, node.status, Date.now()) };
    try {
      await client.updateStatus({ resource: 'nodes' }, next);
      return;
    } catch (err) {
      if (!isApiError(err, 'Conflict') || attempt >= STATUS_UPDATE_TRIES) throw err;
    }
  }
}
