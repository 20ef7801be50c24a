/** Helpers for the scheduler's component tests and bench: register nodes as a kubelet does, submit pods, run a scheduler on a real control plane. */
import type { TestContext } from 'node:test';
import type { ApiClient } from '../lib/client/api-client.js';
import type { KObject } from '../lib/api/object.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import type { Node, Pod } from './framework/types.js';
import { startScheduler, type StartOptions } from './run.js';
import type { Scheduler } from './scheduler.js';

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

/** A real control plane with `nodes` registered and a scheduler running; all stopped after the test. */
export async function schedulerCluster(t: TestContext, nodes: Node[], opts: StartOptions = {}): Promise<{ client: ApiClient; scheduler: Scheduler }> {
  const cp = await startControlPlane();
  const ac = new AbortController();
  let done: Promise<void> | undefined;
  t.after(async () => { ac.abort(); await done; await cp.stop(); });
  for (const n of nodes) await registerNode(cp.client, n);
  const running = await startScheduler(cp.client, ac.signal, opts);
  done = running.done;
  return { client: cp.client, scheduler: running.scheduler };
}
