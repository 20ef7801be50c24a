import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node } from '../lib/api/types.js';
import { startControlPlane } from '../lib/testing/control-plane.js';
import { NodeLease, NODE_LEASE_NAMESPACE, microTime } from './node-lease.js';

test('microTime keeps microseconds as metav1.MicroTime', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});

test('the node lease is created owned by the Node, renewed with one write, and recovers after another writer changed it', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const node = await cp.client.create<Node>({ resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ksimt-lease-n1' } } as Node);
  const lease = new NodeLease(cp.client, 'ksimt-lease-n1', 40);
  assert.equal(lease.renewIntervalMs, 10_000);
  const first = await lease.renew(Date.UTC(2026, 0, 1, 0, 0, 0));
  assert.equal(first.metadata?.namespace, NODE_LEASE_NAMESPACE);
  assert.equal(first.spec?.holderIdentity, 'ksimt-lease-n1');
  assert.equal(first.spec?.leaseDurationSeconds, 40);
  assert.equal(first.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid);
  const second = await lease.renew(Date.UTC(2026, 0, 1, 0, 0, 10));
  assert.equal(second.spec?.renewTime, '2026-01-01T00:00:10.000000Z');
  assert.notEqual(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
  // Someone else writes the Lease: the cached resourceVersion is stale, the renewal still lands.
  const other = structuredClone(second);
  other.spec!.holderIdentity = 'intruder';
  await cp.client.update<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: NODE_LEASE_NAMESPACE }, other);
  const third = await lease.renew(Date.UTC(2026, 0, 1, 0, 0, 20));
  assert.equal(third.spec?.holderIdentity, 'ksimt-lease-n1');
  const stored = await cp.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: NODE_LEASE_NAMESPACE, name: 'ksimt-lease-n1' });
  assert.equal(stored.spec?.renewTime, '2026-01-01T00:00:20.000000Z');
  // Deleted (e.g. by a namespace cleanup): created again.
  await cp.client.delete({ group: 'coordination.k8s.io', resource: 'leases', namespace: NODE_LEASE_NAMESPACE, name: 'ksimt-lease-n1' });
  const fourth = await lease.renew(Date.UTC(2026, 0, 1, 0, 0, 30));
  assert.equal(fourth.spec?.renewTime, '2026-01-01T00:00:30.000000Z');
});
