/** Helpers for the scheduler's tests and bench: register nodes as a kubelet does, build pods to submit. */
import type { ApiClient } from '../lib/client/api-client.js';
import type { KObject } from '../lib/api/object.js';
import type { Node, Pod } from './framework/types.js';

/** Creates a Node and reports its status, as a kubelet registers (create ignores status). */
export async function registerNode(client: ApiClient, node: Node): Promise<void> {
  const created = await client.create({ resource: 'nodes' }, node as KObject);
  await client.updateStatus({ resource: 'nodes' }, { ...created, status: node.status });
}

/** A pod built with makePod, ready to POST (no uid; optional schedulerName). */
export function podObject(pod: Pod, schedulerName?: string): KObject {
  const c = structuredClone(pod) as Pod;
  delete c.metadata.uid;
  if (schedulerName) c.spec.schedulerName = schedulerName;
  return c as KObject;
}
