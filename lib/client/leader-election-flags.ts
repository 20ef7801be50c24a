/**
 * The `--leader-elect*` flags of kube-scheduler / kube-controller-manager and the run-as-leader
 * wiring both share: without --leader-elect the work just runs; with it, it runs while this
 * process holds the Lease, and losing the Lease is reported so main can exit (as client-go's
 * components do) and come back as a clean candidate.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseDurationMs } from '../duration.js';
import type { ApiClient } from './api-client.js';
import { LeaderElector } from './leader-election.js';
import { clientLog } from './log.js';

/** Parsed values of the leader election flags (commander's camelCase names). */
export interface LeaderElectionFlags {
  leaderElect?: boolean;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  leaderElectResourceNamespace?: string;
  leaderElectResourceName?: string;
}

/** Adds --leader-elect and its tuning flags (Kubernetes' names and defaults) with the Lease named `resourceName`. */
export function addLeaderElectionFlags(cmd: Command, resourceName: string): Command {
  return cmd
    .option('--leader-elect', 'run only while holding the leader Lease (for several replicas)', false)
    .option('--leader-elect-lease-duration <d>', 'how long a leader holds the lease without renewing', '15s')
    .option('--leader-elect-renew-deadline <d>', 'how long the leader retries renewing before giving up', '10s')
    .option('--leader-elect-retry-period <d>', 'how often candidates try to acquire or renew', '2s')
    .option('--leader-elect-resource-namespace <ns>', 'namespace of the leader Lease', 'kube-system')
    .option('--leader-elect-resource-name <name>', 'name of the leader Lease', resourceName);
}

/**
 * Runs `work` — directly, or while leading when flags.leaderElect. Resolves 'stopped' when
 * `signal` ended it, 'lost' when the Lease was lost (main should exit non-zero).
 */
export async function runWithLeaderElection(client: ApiClient, flags: LeaderElectionFlags, work: (signal: AbortSignal) => Promise<void> | void, signal: AbortSignal, defaults: { resourceName: string }): Promise<'stopped' | 'lost'> {
  if (!flags.leaderElect) {
    await work(signal);
    return 'stopped';
  }
  const identity = `${hostname()}_${randomUUID()}`;
  const elector = new LeaderElector({
    client, identity, releaseOnCancel: true,
    lease: { namespace: flags.leaderElectResourceNamespace ?? 'kube-system', name: flags.leaderElectResourceName ?? defaults.resourceName },
    leaseDurationMs: parseDurationMs(flags.leaderElectLeaseDuration ?? '15s'),
    renewDeadlineMs: parseDurationMs(flags.leaderElectRenewDeadline ?? '10s'),
    retryPeriodMs: parseDurationMs(flags.leaderElectRetryPeriod ?? '2s'),
    onStartedLeading: work,
    onNewLeader: (leader) => clientLog('info', 'new leader', { leader, identity }),
  });
  await elector.run(signal);
  if (signal.aborted) return 'stopped';
  clientLog('error', 'leader election lost', { identity });
  return 'lost';
}
