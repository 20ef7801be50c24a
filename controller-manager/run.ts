/**
 * Builds every enabled controller on one shared informer factory and runs them until the signal
 * aborts (the leader-elected part of the controller manager).
 */
import type { ApiClient } from '../lib/client/api-client.js';
import { clientLog } from '../lib/client/log.js';
import { InformerFactory } from '../lib/client/informer.js';
import type { Recorder } from './recorder.js';
import { ReplicaSetController, REPLICATION_CONTROLLER } from './controllers/replica-set.js';
import { DeploymentController } from './controllers/deployment/controller.js';
import { GarbageCollector } from './controllers/garbage-collector.js';
import { EndpointsController } from './controllers/endpoints.js';
import { EndpointSliceController } from './controllers/endpoint-slice.js';
import { NamespaceController } from './controllers/namespace.js';
import { ServiceAccountController } from './controllers/service-account.js';
import { RootCAPublisher } from './controllers/root-ca-publisher.js';
import { StatefulSetController } from './controllers/stateful-set.js';
import { DaemonSetController } from './controllers/daemon-set.js';
import { JobController } from './controllers/job.js';
import { CronJobController } from './controllers/cron-job.js';
import { NodeLifecycleController } from './controllers/node-lifecycle.js';
import { PodGC } from './controllers/pod-gc.js';
import { PersistentVolumeController } from './controllers/persistent-volume/controller.js';
import { PvcProtectionController, PvProtectionController } from './controllers/persistent-volume/protection.js';
import { ServiceLBController } from './controllers/service-lb.js';
import { HorizontalPodAutoscalerController } from './controllers/hpa.js';
import { MetricsApiSource } from './controllers/hpa-metrics.js';
import { CsrSigningController, type SigningOptions } from './controllers/certificates/signing.js';
import { CsrApprovingController } from './controllers/certificates/approving.js';
import { CsrCleaner } from './controllers/certificates/cleaner.js';
import { TokenCleaner } from './controllers/token-cleaner.js';
import { CONTROLLER_ACCOUNTS, ServiceAccountClients } from './sa-credentials.js';
import { ServiceAccountTokenController } from './controllers/sa-token.js';

export interface ControllerOptions {
  /** Comma list of controller names, or '*'. */
  controllers: string;
  workers: number;
  nodeMonitorGracePeriodMs: number;
  podEvictionTimeoutMs: number;
  /** --terminated-pod-gc-threshold (default 12500). */
  terminatedPodGCThreshold?: number;
  /** --pv-root: where provisioned volumes live (default /var/lib/kubesim/pv). */
  pvRoot?: string;
  /** --load-balancer-ip-range (default 10.200.0.200-10.200.0.250). */
  loadBalancerIPRange?: string;
  /** --root-ca-file contents: the cluster CA published in every namespace as kube-root-ca.crt. */
  rootCA?: string;
  /** --cluster-signing-cert-file/--cluster-signing-key-file and --cluster-signing-duration: csrsigning's CA. */
  clusterSigning?: SigningOptions;
  /**
   * --use-service-account-credentials: each controller acts as its ServiceAccount in kube-system
   * (CONTROLLER_ACCOUNTS); the given client only feeds the shared informers and leader election.
   */
  useServiceAccountCredentials?: boolean;
  /**
   * With useServiceAccountCredentials: a recorder writing Events with a controller's client (so
   * they too are written as its account); without, every controller shares the given recorder.
   */
  recorderFor?: (client: ApiClient, component: string) => Recorder;
  /** --service-account-private-key-file contents: signs legacy token Secrets (controller serviceaccount-token, only with a key). */
  serviceAccountPrivateKey?: string;
}

interface Runnable { run(workers: number, signal: AbortSignal): Promise<void> }

/** Controller name → the source its Events carry in Kubernetes (kube-controller-manager's recorders). */
export const EVENT_SOURCES: Record<string, string> = {
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  statefulset: 'statefulset-controller',
  daemonset: 'daemonset-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  nodelifecycle: 'node-controller',
  persistentvolume: 'persistentvolume-controller',
  servicelb: 'service-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
};

/** Every controller this process knows, by the name `--controllers` uses. */
export function buildControllers(f: InformerFactory, client: ApiClient, recorder: Recorder, o: ControllerOptions, clientOf: (controller: string) => ApiClient = () => client,
  recorderOf: (controller: string) => Recorder = () => recorder): Record<string, () => Runnable> {
  const c = clientOf;
  const rec = recorderOf;
  return {
    replicaset: () => new ReplicaSetController(f, c('replicaset'), rec('replicaset')),
    replicationcontroller: () => new ReplicaSetController(f, c('replicationcontroller'), rec('replicationcontroller'), REPLICATION_CONTROLLER),
    deployment: () => new DeploymentController(f, c('deployment'), rec('deployment')),
    statefulset: () => new StatefulSetController(f, c('statefulset'), rec('statefulset')),
    daemonset: () => new DaemonSetController(f, c('daemonset'), rec('daemonset')),
    job: () => new JobController(f, c('job'), rec('job')),
    cronjob: () => new CronJobController(f, c('cronjob'), rec('cronjob')),
    endpoints: () => new EndpointsController(f, c('endpoints')),
    endpointslice: () => new EndpointSliceController(f, c('endpointslice')),
    namespace: () => new NamespaceController(f, c('namespace')),
    serviceaccount: () => new ServiceAccountController(f, c('serviceaccount')),
    'root-ca-cert-publisher': () => new RootCAPublisher(f, c('root-ca-cert-publisher'), o.rootCA),
    garbagecollector: () => new GarbageCollector(f, c('garbagecollector')),
    nodelifecycle: () => new NodeLifecycleController(f, c('nodelifecycle'), rec('nodelifecycle'), { nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs }),
    podgc: () => new PodGC(f, c('podgc'), { terminatedPodGCThreshold: o.terminatedPodGCThreshold }),
    persistentvolume: () => new PersistentVolumeController(f, c('persistentvolume'), rec('persistentvolume'), { pvRoot: o.pvRoot }),
    'pvc-protection': () => new PvcProtectionController(f, c('pvc-protection')),
    'pv-protection': () => new PvProtectionController(f, c('pv-protection')),
    servicelb: () => new ServiceLBController(f, c('servicelb'), rec('servicelb'), o.loadBalancerIPRange),
    horizontalpodautoscaling: () => {
      const hpa = c('horizontalpodautoscaling');
      return new HorizontalPodAutoscalerController(f, hpa, rec('horizontalpodautoscaling'), new MetricsApiSource(hpa));
    },
    csrsigning: () => new CsrSigningController(f, c('csrsigning'), o.clusterSigning),
    csrapproving: () => new CsrApprovingController(f, c('csrapproving')),
    tokencleaner: () => new TokenCleaner(f, c('tokencleaner')),
    csrcleaner: () => new CsrCleaner(f, c('csrcleaner')),
    // The controller manager's own identity, as in Kubernetes (it mints credentials for the others).
    ...(o.serviceAccountPrivateKey ? { 'serviceaccount-token': () => new ServiceAccountTokenController(f, client, o.serviceAccountPrivateKey!, o.rootCA) } : {}),
  };
}

/** Starts the enabled controllers; resolves when signal aborts and they have stopped. */
export async function startControllers(client: ApiClient, recorder: Recorder, signal: AbortSignal, o: ControllerOptions): Promise<void> {
  const factory = new InformerFactory(client);
  const accounts = o.useServiceAccountCredentials ? new ServiceAccountClients(client) : undefined;
  const clients = new Map<string, ApiClient>();
  const clientOf = accounts ? (name: string) => {
    const account = CONTROLLER_ACCOUNTS[name];
    if (!clients.has(account)) clients.set(account, accounts.client(account));
    return clients.get(account)!;
  } : undefined;
  // Each controller records Events under its Kubernetes source name (kubectl describe's "From"
  // column: deployment-controller, job-controller, ...), and with service account credentials as
  // its own account.
  const recorders = new Map<string, Recorder>();
  const recorderOf = o.recorderFor ? (name: string) => {
    const component = EVENT_SOURCES[name] ?? 'controller-manager';
    const key = `${clientOf ? CONTROLLER_ACCOUNTS[name] : ''}/${component}`;
    if (!recorders.has(key)) recorders.set(key, o.recorderFor!(clientOf ? clientOf(name) : client, component));
    return recorders.get(key)!;
  } : undefined;
  const all = buildControllers(factory, client, recorder, o, clientOf, recorderOf);
  const wanted = o.controllers === '*' ? Object.keys(all) : o.controllers.split(',').map((s) => s.trim());
  const unknown = wanted.filter((n) => !all[n]);
  if (unknown.length) throw new Error(`--controllers: unknown controller(s) ${unknown.join(', ')}; known: ${Object.keys(all).join(', ')}`);
  const running = wanted.map((n) => ({ name: n, c: all[n]() }));
  if (accounts) {
    await accounts.start(signal);
    clientLog('info', 'controllers use their ServiceAccount credentials', { namespace: 'kube-system' });
  }
  factory.start(signal);
  await factory.waitForCacheSync(signal);
  clientLog('info', 'caches synced; controllers running', { controllers: wanted.join(',') });
  await Promise.all(running.map(({ c }) => c.run(o.workers, signal)));
}
