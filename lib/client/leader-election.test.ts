import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer } from '../../apiserver/grpc/testing.js';
import { LeaderElector } from './leader-election.js';
import { waitFor } from '../testing/wait.js';
import type { Lease } from '../api/types.js';

const LEASE = { namespace: 'kube-system', name: 'ksimt-le' };
const FAST = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

function candidate(client: ConstructorParameters<typeof LeaderElector>[0]['client'], identity: string, releaseOnCancel = false) {
  const state = { leading: false, startedCount: 0, stoppedCount: 0 };
  const elector = new LeaderElector({
    client, lease: LEASE, identity, releaseOnCancel, ...FAST,
    onStartedLeading: (signal) => { state.leading = true; state.startedCount++; signal.addEventListener('abort', () => { state.leading = false; }); },
    onStoppedLeading: () => { state.stoppedCount++; },
  });
  const ac = new AbortController();
  const done = elector.run(ac.signal);
  return { elector, state, ac, done };
}

test('two candidates: exactly one leads; when it stops, the other takes over within the lease duration', async (t) => {
  const api = await startTestApiServer();
  const a = candidate(api.client, 'a');
  const b = candidate(api.client, 'b');
  t.after(async () => { a.ac.abort(); b.ac.abort(); await Promise.all([a.done, b.done]); await api.stop(); });

  await waitFor('a leader', () => a.state.leading || b.state.leading);
  // hold for a few renew periods: never two leaders
  for (let i = 0; i < 10; i++) {
    assert.ok(!(a.state.leading && b.state.leading), 'two leaders at once');
    await new Promise((r) => setTimeout(r, 100));
  }
  const [leader, other] = a.state.leading ? [a, b] : [b, a];
  const lease = await api.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE.namespace, name: LEASE.name });
  assert.equal(lease.spec?.holderIdentity, leader.elector.getLeader());
  assert.equal(other.elector.getLeader(), leader.elector.getLeader(), 'the follower sees who leads');

  // the leader stops without releasing (like a crash): its callback's signal aborts at once
  const stoppedAt = Date.now();
  leader.ac.abort();
  await leader.done;
  assert.equal(leader.state.leading, false);
  assert.equal(leader.state.stoppedCount, 1);
  await waitFor('the other leads', () => other.state.leading, { timeoutMs: 5000 });
  const handover = Date.now() - stoppedAt;
  assert.ok(handover <= FAST.leaseDurationMs + 3 * FAST.retryPeriodMs + 300, `handover took ${handover} ms`);
  const after = await api.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE.namespace, name: LEASE.name });
  assert.equal(after.spec?.holderIdentity, other.elector.getLeader());
  assert.equal(after.spec?.leaseTransitions, 1);
});

test('a leader that releases on cancel hands over faster than the lease duration', async (t) => {
  const api = await startTestApiServer();
  const a = candidate(api.client, 'a', true);
  await waitFor('a leads', () => a.state.leading);
  const b = candidate(api.client, 'b', true);
  t.after(async () => { a.ac.abort(); b.ac.abort(); await Promise.all([a.done, b.done]); await api.stop(); });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(b.state.leading, false);
  const stoppedAt = Date.now();
  a.ac.abort();
  await a.done;
  await waitFor('b leads', () => b.state.leading, { timeoutMs: 5000 });
  assert.ok(Date.now() - stoppedAt < FAST.leaseDurationMs, `released handover took ${Date.now() - stoppedAt} ms`);
});

test('a leader that cannot renew (lease taken away) stops leading', async (t) => {
  const api = await startTestApiServer();
  const a = candidate(api.client, 'a');
  t.after(async () => { a.ac.abort(); await a.done; await api.stop(); });
  await waitFor('a leads', () => a.state.leading);
  // an operator (or a partition) hands the lease to someone else, renewing it continuously
  const ref = { group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE.namespace, name: LEASE.name };
  const thief = setInterval(() => {
    api.client.get<Lease>(ref).then((l) => api.client.update(ref, { ...l, spec: { ...l.spec, holderIdentity: 'intruder', renewTime: new Date().toISOString() } })).catch(() => undefined);
  }, 100);
  t.after(() => clearInterval(thief));
  await waitFor('a stopped leading', () => !a.state.leading, { timeoutMs: 5000 });
  await a.done;
  assert.equal(a.state.stoppedCount, 1);
});
