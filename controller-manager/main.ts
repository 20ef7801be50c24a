#!/usr/bin/env node
/**
 * kube-controller-manager: every controller in one process, on shared informers over the
 * apiserver's gRPC API, optionally only while holding the leader Lease. main only parses flags
 * and wires; controllers live in controllers/.
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { addClientFlags, clientFromFlags } from '../lib/client/flags.js';
import { addLeaderElectionFlags, runWithLeaderElection } from '../lib/client/leader-election-flags.js';
import { clientLog } from '../lib/client/log.js';
import { EventRecorder } from '../lib/client/event-recorder.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { parseDurationMs } from '../lib/duration.js';
import { startControllers } from './run.js';
import type { SigningOptions } from './controllers/certificates/signing.js';
import { caFromKubeconfig } from './controllers/root-ca-publisher.js';

process.env.KUBESIM_COMPONENT ??= 'kube-controller-manager';

const program = addLeaderElectionFlags(addClientFlags(new Command('kube-controller-manager')), 'kube-controller-manager')
  .description('kubesim controller manager: replication, deployment, statefulset, daemonset, job, cronjob, endpoints, namespace, garbage collector, node lifecycle, ...')
  .option('--controllers <list>', 'controllers to run (* = all)', '*')
  .option('--concurrent-syncs <n>', 'workers per controller', '5')
  .option('--cluster-cidr <cidr>', 'pod network (informational)')
  .option('--node-monitor-grace-period <d>', 'time a node may go without a heartbeat before it is marked NotReady', '40s')
  .option('--pod-eviction-timeout <d>', 'default tolerationSeconds before pods leave an unreachable node', '5m')
  .option('--root-ca-file <file>', 'cluster CA (PEM) published in every namespace as ConfigMap kube-root-ca.crt (key ca.crt); default: the CA of --kubeconfig')
  .option('--service-account-private-key-file <file>', 'PEM key (RSA or EC P-256) that signs the tokens of Secrets of type kubernetes.io/service-account-token (controller serviceaccount-token)')
  .option('--use-service-account-credentials', 'run each controller with the token of its own ServiceAccount in kube-system (least privilege)')
  .option('--cluster-signing-cert-file <file>', 'CA certificate (PEM) csrsigning issues kubelet and client certificates with')
  .option('--cluster-signing-key-file <file>', 'private key of --cluster-signing-cert-file')
  .option('--cluster-signing-duration <d>', 'longest validity of a signed certificate', '8760h')
  .option('--v <level>', 'log verbosity', '1');

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  const client = clientFromFlags(o);
  const shutdown = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => { clientLog('info', 'shutting down', { signal: sig }); shutdown.abort(); });
  const recorder = new EventRecorder(client, { component: 'controller-manager', host: hostname() });
  // Each controller writes its Events under its own source name (and, with
  // --use-service-account-credentials, as its own account).
  const recorders: EventRecorder[] = [recorder];
  const recorderFor = (c: ApiClient, component: string) => { const r = new EventRecorder(c, { component, host: hostname() }); recorders.push(r); return r; };
  const work = (signal: AbortSignal) => startControllers(client, recorder, signal, {
    controllers: o.controllers, workers: Number(o.concurrentSyncs) || 5,
    nodeMonitorGracePeriodMs: parseDurationMs(o.nodeMonitorGracePeriod),
    podEvictionTimeoutMs: parseDurationMs(o.podEvictionTimeout),
    clusterSigning: signingFromFlags(o),
    rootCA: o.rootCaFile ? readFileSync(o.rootCaFile, 'utf8') : o.kubeconfig ? caFromKubeconfig(o.kubeconfig) : undefined,
    useServiceAccountCredentials: Boolean(o.useServiceAccountCredentials), recorderFor,
    serviceAccountPrivateKey: o.serviceAccountPrivateKeyFile ? readFileSync(o.serviceAccountPrivateKeyFile, 'utf8') : undefined,
  });
  const result = await runWithLeaderElection(client, o, work, shutdown.signal, { resourceName: 'kube-controller-manager' });
  await Promise.all(recorders.map((r) => r.flush().catch(() => undefined)));
  client.close();
  // Lost the lease while running: exit non-zero so a supervisor restarts us as a clean candidate.
  if (result === 'lost') process.exit(1);
}

/** csrsigning's CA from --cluster-signing-cert-file/--cluster-signing-key-file (none: csrsigning idles). */
function signingFromFlags(o: Record<string, string | undefined>): SigningOptions | undefined {
  if (!o.clusterSigningCertFile && !o.clusterSigningKeyFile) return undefined;
  if (!o.clusterSigningCertFile || !o.clusterSigningKeyFile) throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  return { ca: { cert: readFileSync(o.clusterSigningCertFile, 'utf8'), key: readFileSync(o.clusterSigningKeyFile, 'utf8') }, durationMs: parseDurationMs(o.clusterSigningDuration!) };
}

main().catch((err) => {
  clientLog('error', 'controller-manager failed', { error: (err as Error).message });
  process.exit(1);
});
