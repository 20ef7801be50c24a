#!/usr/bin/env node
/**
 * kube-controller-manager: every controller in one process, on shared informers over the
 * apiserver's gRPC API. main only parses flags and wires; controllers live in controllers/.
 */
import { Command } from 'commander';
import { ApiClient } from '../lib/client/api-client.js';
import { clientLog } from '../lib/client/log.js';
import { EventRecorder } from '../lib/client/event-recorder.js';
import { InformerFactory } from './informers.js';
import { ReplicaSetController, REPLICATION_CONTROLLER } from './controllers/replica-set.js';
import { GarbageCollector } from './controllers/garbage-collector.js';
import { EndpointsController } from './controllers/endpoints.js';
import { NamespaceController } from './controllers/namespace.js';
import { ServiceAccountController } from './controllers/service-account.js';
import { StatefulSetController } from './controllers/stateful-set.js';
import { DeploymentController } from './controllers/deployment/controller.js';

process.env.KUBESIM_COMPONENT ??= 'kube-controller-manager';

const program = new Command('kube-controller-manager')
  .option('--master <url>', 'REST URL of the apiserver (informational; components use gRPC)')
  .option('--kubeconfig <file>', 'kubeconfig (its server is used to derive --grpc-server when absent)')
  .option('--grpc-server <host:port>', 'the apiserver gRPC address')
  .option('--leader-elect', 'elect a leader through a Lease before running controllers', false)
  .option('--controllers <list>', 'controllers to run (* = all)', '*')
  .option('--concurrent-syncs <n>', 'workers per controller', (v) => Number.parseInt(v, 10), 5)
  .option('--cluster-cidr <cidr>', 'pod network (informational)')
  .option('--node-monitor-grace-period <duration>', 'time a node may go without a heartbeat before NotReady', '40s')
  .option('--pod-eviction-timeout <duration>', 'default tolerationSeconds for evictions', '5m')
  .option('--v <level>', 'log verbosity', '1')
  .parse();

const o = program.opts<{ grpcServer?: string; master?: string; controllers: string; concurrentSyncs: number }>();

async function main(): Promise<void> {
  if (!o.grpcServer) {
    console.error('kube-controller-manager: --grpc-server HOST:PORT is required');
    process.exit(2);
  }
  const client = ApiClient.connect(o.grpcServer);
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => { clientLog('info', 'shutting down', { signal: sig }); stop.abort(); });
  const recorder = new EventRecorder(client, { component: 'controller-manager' });
  const informers = new InformerFactory(client);
  const wanted = (name: string) => o.controllers === '*' || o.controllers.split(',').includes(name);
  const runs: Array<(s: AbortSignal) => Promise<void>> = [];
  if (wanted('replicaset')) { const c = new ReplicaSetController(informers, client, recorder); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  if (wanted('replicationcontroller')) { const c = new ReplicaSetController(informers, client, recorder, REPLICATION_CONTROLLER); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  if (wanted('deployment')) { const c = new DeploymentController(informers, client, recorder); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  if (wanted('garbagecollector')) { const c = new GarbageCollector(informers, client); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  if (wanted('endpoints')) { const c = new EndpointsController(informers, client); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  if (wanted('namespace')) { const c = new NamespaceController(informers, client); runs.push((s) => c.run(2, s)); }
  if (wanted('serviceaccount')) { const c = new ServiceAccountController(informers, client); runs.push((s) => c.run(1, s)); }
  if (wanted('statefulset')) { const c = new StatefulSetController(informers, client, recorder); runs.push((s) => c.run(o.concurrentSyncs, s)); }
  informers.start(stop.signal);
  await informers.waitForSync(stop.signal);
  clientLog('info', 'caches synced; controllers running', { controllers: runs.length });
  await Promise.all(runs.map((r) => r(stop.signal)));
  await recorder.flush().catch(() => undefined);
  client.close();
}

main().catch((err) => {
  clientLog('error', 'controller-manager failed', { err: (err as Error).message });
  process.exit(1);
});
