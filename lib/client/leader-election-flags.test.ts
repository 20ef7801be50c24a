import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { startTestApiServer } from '../../apiserver/grpc/testing.js';
import { addLeaderElectionFlags, runWithLeaderElection, type LeaderElectionFlags } from './leader-election-flags.js';
import { waitFor } from '../testing/wait.js';
import type { Lease } from '../api/types.js';

test('flags parse with Kubernetes defaults; without --leader-elect the work just runs', async () => {
  const flags = addLeaderElectionFlags(new Command(), 'kube-scheduler').parse([], { from: 'user' }).opts<LeaderElectionFlags>();
  assert.deepEqual(flags, { leaderElect: false, leaderElectLeaseDuration: '15s', leaderElectRenewDeadline: '10s', leaderElectRetryPeriod: '2s', leaderElectResourceNamespace: 'kube-system', leaderElectResourceName: 'kube-scheduler' });
  let ran = false;
  const ac = new AbortController();
  assert.equal(await runWithLeaderElection(undefined as never, flags, () => { ran = true; }, ac.signal, { resourceName: 'x' }), 'stopped');
  assert.equal(ran, true);
});

test('with --leader-elect the work runs while leading, on the named Lease', async (t) => {
  const api = await startTestApiServer();
  t.after(() => api.stop());
  const flags = addLeaderElectionFlags(new Command(), 'ksimt-cm').parse(['--leader-elect', '--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1s', '--leader-elect-retry-period', '200ms'], { from: 'user' }).opts<LeaderElectionFlags>();
  const ac = new AbortController();
  let leading = false;
  const done = runWithLeaderElection(api.client, flags, (signal) => { leading = true; signal.addEventListener('abort', () => { leading = false; }); }, ac.signal, { resourceName: 'ksimt-cm' });
  await waitFor('leading', () => leading);
  const lease = await api.client.get<Lease>({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'ksimt-cm' });
  assert.match(lease.spec?.holderIdentity ?? '', /_/);
  assert.equal(lease.spec?.leaseDurationSeconds, 2);
  ac.abort();
  assert.equal(await done, 'stopped');
  assert.equal(leading, false);
});
