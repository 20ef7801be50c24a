/**
 * Chaos buttons. The dashboard does not know how to kill a component or stop a node: whoever
 * starts it (the `kubesim dashboard` command, with the `kubesim chaos` functions) passes the
 * actions in. No actions → no buttons. Each run is recorded as a Kubernetes Event, so it shows
 * in the page's timeline beside what the cluster did about it.
 */
import { randomBytes } from 'node:crypto';
import type { ApiClient } from '../../lib/client/api-client.js';
import { R } from '../../lib/client/resources.js';
import { ApiError } from '../../lib/errors.js';

/** One chaos action: what it acts on and how. `run` resolves to a message for the user. */
export interface ChaosAction {
  label: string;
  /** What the target string names: a node, a component, or nothing. */
  target: 'node' | 'component' | 'none';
  run(target: string): Promise<string>;
}

/** Chaos actions by id (e.g. `stop-node`, `partition-node`, `kill-component`). */
export type ChaosActions = Record<string, ChaosAction>;

/** What the page needs to draw the buttons. */
export function chaosCatalog(actions: ChaosActions): Array<{ id: string; label: string; target: ChaosAction['target'] }> {
  return Object.entries(actions).map(([id, a]) => ({ id, label: a.label, target: a.target }));
}

/** Runs an action and records an Event about it (on the Node for node actions). */
export async function runChaos(client: ApiClient, actions: ChaosActions, id: string, target: string): Promise<string> {
  const a = Object.hasOwn(actions, id) ? actions[id] : undefined;
  if (!a) throw new ApiError('NotFound', `no chaos action "${id}"; available: ${Object.keys(actions).join(', ') || 'none'}`);
  if (a.target !== 'none' && !target) throw new ApiError('BadRequest', `chaos action "${id}" needs a ${a.target}`);
  const message = await a.run(target);
  const now = new Date().toISOString();
  const involved = a.target === 'node' ? { kind: 'Node', name: target, namespace: '' } : { kind: 'Namespace', name: 'default', namespace: '' };
  await client.create({ ...R.events, namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `chaos.${randomBytes(6).toString('hex')}`, namespace: 'default' },
    involvedObject: involved, reason: `Chaos${id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
    message: `${a.label}${target ? ` ${target}` : ''}: ${message}`, type: 'Warning', count: 1,
    firstTimestamp: now, lastTimestamp: now, source: { component: 'kubesim-dashboard' },
  }).catch(() => undefined); // the action happened; a lost Event must not turn it into an error
  return message;
}
