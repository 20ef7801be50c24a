/**
 * The node heartbeat Lease (Kubernetes' pkg/kubelet/nodelease): `kube-node-lease/<node>`,
 * holderIdentity = the node, renewed every leaseDuration/4 (10 s of 40 s). A renewal is one
 * write: the Lease returned by the last write carries the resourceVersion for the next one, so
 * no read is needed unless someone else changed it (Conflict → re-read once).
 */
import type { Lease, Node } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { isApiError } from '../lib/errors.js';

/** Namespace of the node heartbeat leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASES = { group: 'coordination.k8s.io', resource: 'leases', namespace: NODE_LEASE_NAMESPACE };

/** metav1.MicroTime: RFC3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Renews (or creates) one node's heartbeat Lease, remembering the last written object. */
export class NodeLease {
  private last: Lease | undefined;

  constructor(private readonly client: ApiClient, private readonly nodeName: string, private readonly durationSeconds = 40) {}

  /** Renew period the real kubelet uses: a quarter of the lease duration. */
  get renewIntervalMs(): number { return Math.max(1, this.durationSeconds * 250); }

  /** Writes renewTime = now; creates the Lease (owned by the Node, so it goes with it) when missing. */
  async renew(nowMs = Date.now()): Promise<Lease> {
    if (this.last) {
      try { return (this.last = await this.client.update<Lease>(LEASES, this.renewed(this.last, nowMs))); } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err;
      }
    }
    const current = await this.client.get<Lease>({ ...LEASES, name: this.nodeName }).catch((err) => { if (isApiError(err, 'NotFound')) return undefined; throw err; });
    if (current) return (this.last = await this.client.update<Lease>(LEASES, this.renewed(current, nowMs)));
    return (this.last = await this.client.create<Lease>(LEASES, await this.fresh(nowMs)));
  }

  private renewed(l: Lease, nowMs: number): Lease {
    const next = structuredClone(l);
    next.spec = { ...(next.spec ?? {}), holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(nowMs) };
    return next;
  }

  private async fresh(nowMs: number): Promise<Lease> {
    const node = await this.client.get<Node>({ resource: 'nodes', name: this.nodeName }).catch(() => undefined);
    const owner = node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid }] : undefined;
    return {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE, ...(owner ? { ownerReferences: owner } : {}) },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime: microTime(nowMs) },
    } as Lease;
  }
}
