#!/usr/bin/env node
/**
 * kube-scheduler for kubesim. Flags use kube-scheduler's names where they exist; wiring only:
 * client from --kubeconfig/--master/--grpc-server, optional leader election on the Lease
 * kube-system/kube-scheduler, then the scheduler until SIGTERM/SIGINT. Losing leadership exits
 * the process (as kube-scheduler does) so a supervisor restarts it from a clean state.
 */
import { Command } from 'commander';
import { addClientFlags, clientFromFlags } from '../lib/client/flags.js';
import { addLeaderElectionFlags, runWithLeaderElection } from '../lib/client/leader-election-flags.js';
import { clientLog } from '../lib/client/log.js';
import { readFileSync } from 'node:fs';
import { parseSchedulerConfig, type SchedulerConfig } from './config.js';
import { inTreeRegistry } from './plugins/index.js';
import { startScheduler } from './run.js';
import { startSchedulerServer } from './server.js';
import { Registry } from 'prom-client';

process.env.KUBESIM_COMPONENT ??= 'kube-scheduler';

const program = addLeaderElectionFlags(addClientFlags(new Command('kube-scheduler')), 'kube-scheduler')
  .description('kubesim scheduler: assigns pending pods to nodes (filter and score plugins, preemption)')
  .option('--config <file>', 'KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles with their plugins and weights, leaderElection')
  .option('--scheduler-name <name>', 'schedule pods whose spec.schedulerName is this', 'default-scheduler')
  .option('--decision-annotation', `write each pod's decision record (per-plugin verdicts and scores per node) as the annotation scheduler.kubesim.io/decision`, false)
  .option('--no-preemption', 'never evict lower-priority pods')
  .option('--event-qps <n>', 'Event writes per second (kube-scheduler limits them through its client\'s --kube-api-qps); 0 = no limit', '50')
  .option('--event-burst <n>', 'Event writes allowed in a burst', '100')
  .option('--bind-address <ip>', 'address of the /healthz and /metrics endpoint', '127.0.0.1')
  .option('--port <port>', 'port of the /healthz and /metrics endpoint (0 = any free port, -1 = off)', '10251')
  .option('--v <level>', 'log verbosity (2 = each binding and failure, 4 = every decision with each plugin\'s verdict and score per node)', '0');

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  const verbosity = Number(o.v);
  if (!Number.isInteger(verbosity) || verbosity < 0) throw new Error(`--v: not a verbosity level: ${o.v}`);
  const config: SchedulerConfig | undefined = o.config ? parseSchedulerConfig(readFileSync(o.config, 'utf8'), inTreeRegistry()) : undefined;
  // A flag given on the command line wins over the config file, which wins over the flag's default.
  const le = config?.leaderElection ?? {};
  const pick = (flag: string, fromConfig: unknown) => (program.getOptionValueSource(flag) === 'cli' || fromConfig === undefined ? o[flag] : fromConfig);
  const leaderElect = pick('leaderElect', le.leaderElect);
  const eventRate = { qps: Number(o.eventQps), burst: Number(o.eventBurst) };
  if (!(eventRate.qps >= 0) || !(eventRate.burst >= 1)) throw new Error(`--event-qps/--event-burst: want qps ≥ 0 and burst ≥ 1, got ${o.eventQps}/${o.eventBurst}`);
  const client = clientFromFlags(o);
  const shutdown = new AbortController();
  let stopping = false;
  const stop = (sig: string) => { if (!stopping) { stopping = true; clientLog('info', 'shutting down', { signal: sig }); shutdown.abort(); } };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // /metrics serves the leading scheduler's registry; a standby serves an empty one and is healthy.
  let metrics = new Registry();
  let leading = false;
  let synced = false;
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < -1 || port > 65535) throw new Error(`--port: not a port: ${o.port}`);
  if (port >= 0) {
    const srv = await startSchedulerServer(o.bindAddress, port, () => metrics, () => !leading || synced)
      .catch((err) => { clientLog('warn', 'cannot serve /healthz and /metrics', { error: (err as Error).message }); return undefined; });
    if (srv) {
      clientLog('info', 'serving /healthz /metrics', { address: `${o.bindAddress}:${srv.port}` });
      shutdown.signal.addEventListener('abort', () => srv.server.close(), { once: true });
    }
  }

  const schedule = async (signal: AbortSignal) => {
    leading = true;
    const running = await startScheduler(client, signal, {
      schedulerName: o.schedulerName, profiles: config?.profiles, verbosity, decisionAnnotation: o.decisionAnnotation, preemption: o.preemption, eventRate,
    });
    metrics = running.scheduler.metrics.registry;
    synced = true;
    clientLog('info', 'scheduler started', { profiles: running.scheduler.schedulerNames });
    await running.done;
  };

  const result = await runWithLeaderElection(client, {
    leaderElect,
    leaderElectResourceNamespace: pick('leaderElectResourceNamespace', le.resourceNamespace),
    leaderElectResourceName: pick('leaderElectResourceName', le.resourceName),
    leaderElectLeaseDuration: pick('leaderElectLeaseDuration', le.leaseDuration),
    leaderElectRenewDeadline: pick('leaderElectRenewDeadline', le.renewDeadline),
    leaderElectRetryPeriod: pick('leaderElectRetryPeriod', le.retryPeriod),
  }, schedule, shutdown.signal, { resourceName: 'kube-scheduler' });
  if (result === 'lost') {
    client.close();
    process.exit(1);
  }
  client.close();
  process.exit(0);
}

main().catch((err) => {
  clientLog('error', 'scheduler failed', { error: (err as Error).message });
  process.exit(1);
});
