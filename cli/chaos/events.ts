/**
 * Every chaos action is told as a Kubernetes Event on the node it hits (or the cluster's first
 * node for control-plane actions), so `kubectl get events --watch` tells the story. A failed
 * post (the apiserver may be the thing just killed) is logged, never fatal.
 */
import { randomBytes } from 'node:crypto';
import type { ChaosContext } from './context.js';

/** Posts a Warning (or Normal) Event about node `node`, retrying failed posts for up to retryMs. */
export async function recordEvent(ctx: ChaosContext, node: string | undefined, reason: string, message: string, type: 'Warning' | 'Normal' = 'Warning', retryMs = 0): Promise<boolean> {
  const target = node ?? ctx.nodes[0]?.name ?? 'cluster';
  const now = new Date().toISOString();
  const event = {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${target}.chaos.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Node', name: target },
    reason, message, type, count: 1,
    source: { component: 'kubesim-chaos' }, firstTimestamp: now, lastTimestamp: now,
    reportingComponent: 'kubesim-chaos', reportingInstance: 'kubesim',
  };
  const deadline = Date.now() + retryMs;
  for (;;) {
    try {
      await postEvent(ctx.apiURL, event);
      return true;
    } catch (err) {
      if (Date.now() < deadline) { await new Promise((r) => setTimeout(r, 500)); continue; }
      console.error(JSON.stringify({ level: 'warn', component: 'kubesim-chaos', msg: 'could not record event', reason, node: target, err: (err as Error).message }));
      return false;
    }
  }
}

async function postEvent(apiURL: string, event: object): Promise<void> {
  const res = await fetch(`${apiURL}/api/v1/namespaces/default/events`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal: AbortSignal.timeout(3000),
  });
  // 409: an earlier attempt was stored although its answer was lost.
  if (!res.ok && res.status !== 409) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
}
