import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node, Pod } from '../lib/api/types.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { waitFor } from '../lib/testing/wait.js';
import { runHollowNodes } from './hollow.js';
import { createLogger } from './runtime/log.js';

test('hollow nodes register, run bound pods as Running/Ready with made-up IPs, and finish deleted pods', async (t) => {
  const cp = await startControlPlane();
  const ac = new AbortController();
  let done: Promise<void> | undefined;
  t.after(async () => { ac.abort(); await done?.catch(() => undefined); await cp.stop(); });
  done = runHollowNodes({ client: cp.client, count: 3, prefix: 'ksimt-hollow-', startupMs: 50, heartbeatMs: 500, leaseDurationSeconds: 4, log: createLogger('hollow', true) }, ac.signal);
  const nodes = await waitFor('3 hollow nodes', async () => {
    const l = await cp.client.list<Node>({ resource: 'nodes' });
    return l.items.filter((n) => n.metadata?.name?.startsWith('ksimt-hollow-') && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 3 && l.items;
  });
  assert.equal(nodes.find((n) => n.metadata?.name === 'ksimt-hollow-1')?.spec?.podCIDR, '100.64.1.0/24');
  // Liveness through the node Lease, renewed every quarter of its 4 s duration.
  const leaseOf = () => cp.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'ksimt-hollow-2' });
  const l1 = await waitFor('hollow lease', () => leaseOf().catch(() => undefined));
  assert.equal(l1.spec?.holderIdentity, 'ksimt-hollow-2');
  assert.equal(l1.spec?.leaseDurationSeconds, 4);
  await waitFor('hollow lease renewed', async () => (await leaseOf()).spec?.renewTime !== l1.spec?.renewTime);
  await cp.client.create({ resource: 'pods', namespace: 'default' }, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h1' }, spec: { nodeName: 'ksimt-hollow-1', containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] },
  } as Pod);
  const pod = await waitFor('hollow pod Running', async () => { const p = await cp.client.get<Pod>({ resource: 'pods', namespace: 'default', name: 'h1' }); return p.status?.phase === 'Running' && p; });
  assert.match(pod.status!.podIP!, /^100\.64\.1\.\d+$/);
  assert.equal(pod.status!.containerStatuses!.filter((s) => s.ready).length, 2);
  assert.equal(pod.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  await cp.client.delete({ resource: 'pods', namespace: 'default', name: 'h1' });
  await waitFor('hollow pod deleted', async () => (await cp.client.get({ resource: 'pods', namespace: 'default', name: 'h1' }).catch(() => undefined)) === undefined);
});
