#!/usr/bin/env node
/**
 * kube-controller-manager: every controller in one process, on shared informers over the
 * apiserver's gRPC API, optionally only while holding the leader Lease. main only parses flags
 * and wires; controllers live in controllers/.
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { addClientFlags, clientFromFlags } from '../lib/client/flags.js';
import { LeaderElector } from '../lib/client/leader-election.js';
import { clientLog } from '../lib/client/log.js';
import { EventRecorder } from '../lib/client/event-recorder.js';
import { parseDurationMs } from '../lib/duration.js';
import { startControllers } from './run.js';

process.env.KUBESIM_COMPONENT ??= 'kube-controller-manager';

const program = addClientFlags(new Command('kube-controller-manager'))
  .description('kubesim controller manager: replication, deployment, statefulset, daemonset, job, cronjob, endpoints, namespace, garbage collector, node lifecycle, ...')
  .option('--leader-elect', 'run controllers only while holding the leader Lease', false)
  .option('--leader-elect-lease-duration <d>', 'how long a leader holds the lease without renewing', '15s')
  .option('--leader-elect-renew-deadline <d>', 'how long the leader retries renewing before giving up', '10s')
  .option('--leader-elect-retry-period <d>', 'how often candidates try to acquire or renew', '2s')
  .option('--leader-elect-resource-namespace <ns>', 'namespace of the leader Lease', 'kube-system')
  .option('--leader-elect-resource-name <name>', 'name of the leader Lease', 'kube-controller-manager')
  .option('--controllers <list>', 'controllers to run (* = all)', '*')
  .option('--concurrent-syncs <n>', 'workers per controller', '5')
  .option('--cluster-cidr <cidr>', 'pod network (informational)')
  .option('--node-monitor-grace-period <d>', 'time a node may go without a heartbeat before it is marked NotReady', '40s')
  .option('--pod-eviction-timeout <d>', 'default tolerationSeconds before pods leave an unreachable node', '5m')
  .option('--v <level>', 'log verbosity', '1');

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  const client = clientFromFlags(o);
  const shutdown = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => { clientLog('info', 'shutting down', { signal: sig }); shutdown.abort(); });
  const recorder = new EventRecorder(client, { component: 'controller-manager', host: hostname() });
  const run = async (signal: AbortSignal) => {
    await startControllers(client, recorder, signal, {
      controllers: o.controllers, workers: Number(o.concurrentSyncs) || 5,
      nodeMonitorGracePeriodMs: parseDurationMs(o.nodeMonitorGracePeriod),
      podEvictionTimeoutMs: parseDurationMs(o.podEvictionTimeout),
    });
  };
  if (!o.leaderElect) {
    await run(shutdown.signal);
  } else {
    const identity = `${hostname()}_${randomUUID()}`;
    const elector = new LeaderElector({
      client, identity, releaseOnCancel: true,
      lease: { namespace: o.leaderElectResourceNamespace, name: o.leaderElectResourceName },
      leaseDurationMs: parseDurationMs(o.leaderElectLeaseDuration),
      renewDeadlineMs: parseDurationMs(o.leaderElectRenewDeadline),
      retryPeriodMs: parseDurationMs(o.leaderElectRetryPeriod),
      onStartedLeading: run,
      onNewLeader: (leader) => clientLog('info', 'new leader', { leader }),
    });
    await elector.run(shutdown.signal);
    if (!shutdown.signal.aborted) {
      // Lost the lease while running: exit so a supervisor restarts us as a clean candidate.
      clientLog('error', 'leader election lost', { identity });
      await recorder.flush().catch(() => undefined);
      process.exit(1);
    }
  }
  await recorder.flush().catch(() => undefined);
  client.close();
}

main().catch((err) => {
  clientLog('error', 'controller-manager failed', { error: (err as Error).message });
  process.exit(1);
});
