/** A real control plane with a scheduler on it, for the scheduler's component tests. */
import type { TestContext } from 'node:test';
import type { ApiClient } from '../lib/client/api-client.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import type { Node } from './framework/types.js';
import { startScheduler, type StartOptions } from './run.js';
import type { Scheduler } from './scheduler.js';
import { registerNode } from './testing-api.js';

export { podObject, registerNode } from './testing-api.js';

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
