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
}

interface Runnable { run(workers: number, signal: AbortSignal): Promise<void> }

/** Every controller this process knows, by the name `--controllers` uses. */
export function buildControllers(f: InformerFactory, client: ApiClient, recorder: Recorder, o: ControllerOptions): Record<string, () => Runnable> {
  return {
    replicaset: () => new ReplicaSetController(f, client, recorder),
    replicationcontroller: () => new ReplicaSetController(f, client, recorder, REPLICATION_CONTROLLER),
    deployment: () => new DeploymentController(f, client, recorder),
    statefulset: () => new StatefulSetController(f, client, recorder),
    daemonset: () => new DaemonSetController(f, client, recorder),
    job: () => new JobController(f, client, recorder),
    cronjob: () => new CronJobController(f, client, recorder),
    endpoints: () => new EndpointsController(f, client),
    endpointslice: () => new EndpointSliceController(f, client),
    namespace: () => new NamespaceController(f, client),
    serviceaccount: () => new ServiceAccountController(f, client),
    'root-ca-cert-publisher': () => new RootCAPublisher(f, client, o.rootCA),
    garbagecollector: () => new GarbageCollector(f, client),
    nodelifecycle: () => new NodeLifecycleController(f, client, recorder, { nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs }),
    podgc: () => new PodGC(f, client, { terminatedPodGCThreshold: o.terminatedPodGCThreshold }),
    persistentvolume: () => new PersistentVolumeController(f, client, recorder, { pvRoot: o.pvRoot }),
    'pvc-protection': () => new PvcProtectionController(f, client),
    'pv-protection': () => new PvProtectionController(f, client),
    servicelb: () => new ServiceLBController(f, client, recorder, o.loadBalancerIPRange),
    horizontalpodautoscaling: () => new HorizontalPodAutoscalerController(f, client, recorder, new MetricsApiSource(client)),
  };
}

/** Starts the enabled controllers; resolves when signal aborts and they have stopped. */
export async function startControllers(client: ApiClient, recorder: Recorder, signal: AbortSignal, o: ControllerOptions): Promise<void> {
  const factory = new InformerFactory(client);
  const all = buildControllers(factory, client, recorder, o);
  const wanted = o.controllers === '*' ? Object.keys(all) : o.controllers.split(',').map((s) => s.trim());
  const unknown = wanted.filter((n) => !all[n]);
  if (unknown.length) throw new Error(`--controllers: unknown controller(s) ${unknown.join(', ')}; known: ${Object.keys(all).join(', ')}`);
  const running = wanted.map((n) => ({ name: n, c: all[n]() }));
  factory.start(signal);
  await factory.waitForCacheSync(signal);
  clientLog('info', 'caches synced; controllers running', { controllers: wanted.join(',') });
  await Promise.all(running.map(({ c }) => c.run(o.workers, signal)));
}
