/**
 * ClusterHub against a real control plane: a burst of changes reaches a subscriber coalesced
 * (fewer batches than writes, last state wins), deletes are sent, and the events store is capped
 * to the newest N so a busy cluster cannot grow it without bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane } from '../../lib/testing/control-plane.js';
import { waitFor } from '../../lib/testing/wait.js';
import { ClusterHub, type Delta } from '../../dashboard/server/hub.js';

test('hub: coalesced batches, deletes, capped events', async (t) => {
  const cp = await startControlPlane();
  t.after(() => cp.stop());
  const ac = new AbortController();
  t.after(() => ac.abort());
  const hub = new ClusterHub(cp.client, { flushMs: 100, maxEvents: 5 });
  hub.start(ac.signal);
  assert.ok(await hub.waitForSync(ac.signal));
  const batches: Delta[] = [];
  const sub = hub.subscribe((d) => batches.push(d));
  t.after(() => sub.unsubscribe());

  const svc = { resource: 'services', namespace: 'default' };
  await cp.client.create(svc, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's1' }, spec: { ports: [{ port: 80 }] } });
  for (let i = 0; i < 10; i++) {
    const cur = await cp.client.get({ ...svc, name: 's1' });
    await cp.client.update(svc, { ...cur, metadata: { ...cur.metadata, labels: { n: String(i) } } });
  }
  await waitFor('last label in hub', () => hub.snapshotOne('Service/default/s1')?.labels?.n === '9');
  await waitFor('last label sent', () => batches.some((b) => b.upserts.some((u) => u.key === 'Service/default/s1' && u.labels?.n === '9')));
  const sends = batches.flatMap((b) => b.upserts).filter((u) => u.key === 'Service/default/s1').length;
  assert.ok(sends < 11, `11 writes, ${sends} sends: changes are coalesced`);

  await cp.client.delete({ ...svc, name: 's1' });
  await waitFor('delete sent', () => batches.some((b) => b.deletes.includes('Service/default/s1')));
  assert.equal(hub.snapshotOne('Service/default/s1'), undefined);

  for (let i = 0; i < 20; i++) {
    await cp.client.create({ resource: 'events', namespace: 'default' }, { apiVersion: 'v1', kind: 'Event', metadata: { name: `e${String(i).padStart(2, '0')}` }, involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'R', message: `m${i}`, type: 'Normal' });
  }
  await waitFor('newest event in hub', () => hub.snapshotOne('Event/default/e19'));
  const events = hub.snapshot().filter((o) => o.kind === 'Event');
  assert.ok(events.length <= 6, `${events.length} events kept, cap 5 (+20% slack)`);
  assert.ok(!hub.snapshotOne('Event/default/e00'), 'oldest event dropped');
});
