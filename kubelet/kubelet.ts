/**
 * The node agent: registers the node, watches the pods bound to it (and, one by one, the
 * ConfigMaps, Secrets, PVCs and PVs they reference, plus Services), and runs syncPod per pod
 * from a work queue.
 * A relist of the runtime every second (PLEG) requeues pods whose containers changed
 * state; probes run from the same tick; sandboxes of pods that no longer exist are killed.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Node, Pod, Service } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { InformerFactory, type SharedInformer } from '../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../lib/client/workqueue.js';
import { CriClient } from './runtime/cri-client.js';
import type { Logger } from './runtime/log.js';
import { EventRecorder } from '../lib/client/event-recorder.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, podNeedsSync } from './pod-config.js';
import { PodWorker } from './pod-worker.js';
import { Prober } from './prober.js';
import { startKubeletServer, type KubeletServerTls } from './server.js';
import { NodeLease } from './node-lease.js';
import { HostPorts } from './host-ports.js';
import { heartbeat, machineCapacity, registerNodeUntilDone, type NodeIdentity } from './node-status.js';
import type { ClusterDns } from './dns-config.js';
import { ServiceAccountTokenManager } from './volumes/token-manager.js';
import { ReferencedObjects } from './volumes/referenced-objects.js';

/** Kubelet settings (flags of kubelet/main.ts). */
export interface KubeletOptions {
  client: ApiClient;
  criEndpoint: string;
  node: NodeIdentity;
  rootDir: string;
  logRoot: string;
  cluster: ClusterDns;
  log: Logger;
  workers?: number;
  heartbeatMs?: number;
  relistMs?: number;
  /** Folder standing in for NFS servers (default <rootDir>/../nfs). */
  nfsRoot?: string;
  /** The kubelet HTTP server (logs, stats): address and port; port -1 = no server. */
  serverHost?: string;
  serverPort?: number;
  /** HTTPS for the server (only the apiserver's client certificate gets in). */
  serverTls?: KubeletServerTls;
  /** Duration of the node heartbeat Lease (--node-lease-duration-seconds); renewed every quarter of it. */
  nodeLeaseDurationSeconds?: number;
  /** Where hostPorts listen when a port names no hostIP (default 0.0.0.0: every node address). */
  hostPortAddress?: string;
}

interface CriListed { id: string; pod_sandbox_id: string; state: number; created_at: number; labels: Record<string, string> }

/** A running kubelet. */
export class Kubelet {
  readonly cri: CriClient;
  private readonly queue = new WorkQueue({ name: 'kubelet' });
  private readonly factory: InformerFactory;
  private readonly pods: SharedInformer<Pod>;
  private readonly worker: PodWorker;
  private readonly prober: Prober;
  private readonly events: EventRecorder;
  private lastStates = new Map<string, number>();
  private readonly lease: NodeLease;
  private readonly hostPorts: HostPorts;
  private readonly objects: ReferencedObjects;
  /** Port of the HTTP server once running. */
  serverPort = 0;

  constructor(private readonly o: KubeletOptions) {
    this.cri = new CriClient(o.criEndpoint);
    this.lease = new NodeLease(o.client, o.node.name, o.nodeLeaseDurationSeconds ?? 40);
    this.hostPorts = new HostPorts(o.node.name, o.hostPortAddress ?? '0.0.0.0', o.log);
    this.factory = new InformerFactory(o.client);
    this.pods = this.factory.informerFor<Pod>({ resource: 'pods' }, { fieldSelector: `spec.nodeName=${o.node.name}` });
    const services = this.factory.informerFor<Service>({ resource: 'services' });
    // Secrets, ConfigMaps and volumes: only the ones this node's pods reference, one watch each (all
    // the Node authorizer lets a kubelet read); a change resyncs the pods of its namespace.
    this.objects = new ReferencedObjects(o.client, (_kind, ns) => { for (const p of this.pods.lister.list(undefined, ns)) this.enqueue(p); });
    const objects = this.objects;
    this.events = new EventRecorder(o.client, { component: 'kubelet', host: o.node.name });
    this.prober = new Prober(this.cri, this.events, o.log, (p) => this.enqueue(p));
    const cap = machineCapacity(o.node.maxPods);
    const tokens = ServiceAccountTokenManager.forClient(o.client);
    this.worker = new PodWorker({
      cri: this.cri, client: o.client, nodeName: o.node.name, nodeIP: o.node.ip, podsDir: join(o.rootDir, 'pods'), logRoot: o.logRoot, cluster: o.cluster,
      events: this.events, log: o.log, isReady: (id) => this.prober.isReady(id),
      sources: {
        configMap: (ns, name) => objects.configMap(ns, name), secret: (ns, name) => objects.secret(ns, name),
        pvc: (ns, name) => objects.pvc(ns, name), pv: (name) => objects.pv(name), nfsRoot: o.nfsRoot ?? join(o.rootDir, '..', 'nfs'),
        services: (ns) => services.lister.list(undefined, ns).concat(ns === 'default' ? [] : services.lister.list(undefined, 'default').filter((s) => s.metadata?.name === 'kubernetes')),
        nodeAllocatable: { cpu: cap.cpu, memory: cap.memory },
        serviceAccountToken: (pod, projection) => tokens.token(pod, projection),
      },
    });
    // Status-only updates (mostly our own writes) start no sync: each would cost a round of CRI calls.
    this.pods.addEventHandler({ onAdd: (p) => this.enqueue(p), onUpdate: (o, p) => { if (podNeedsSync(o, p)) this.enqueue(p); }, onDelete: () => undefined });
  }

  private enqueue(p: Pod): void { this.queue.add(`${p.metadata!.namespace}/${p.metadata!.name}`); }

  /**
   * Runs until the signal aborts. On SIGTERM the kubelet only stops: no more Lease renewals or
   * status heartbeats (the node lifecycle controller marks the node NotReady after the lease
   * duration), and running pods are left to the runtime so the next kubelet adopts them — the
   * real kubelet behaves the same when it is stopped (graceful node shutdown is for machine
   * shutdowns, which a node of kubesim does not have).
   */
  async run(signal: AbortSignal): Promise<void> {
    setMaxListeners(100, signal); // informers, loops, workers and the server each watch it
    // The server comes first so the Node reports the port it really listens on.
    if ((this.o.serverPort ?? 10250) >= 0) {
      const srv = await startKubeletServer({
        cri: this.cri, logRoot: this.o.logRoot, nodeName: this.o.node.name, pods: () => this.pods.lister.list(),
        getPod: (ns, name) => this.pods.lister.get(ns, name),
      }, this.o.serverHost ?? '0.0.0.0', this.o.serverPort ?? 10250, this.o.serverTls);
      this.serverPort = srv.port;
      this.o.node.kubeletPort = srv.port;
      signal.addEventListener('abort', () => { void srv.close(); }, { once: true });
      this.o.log.info('kubelet server listening', { port: srv.port });
    }
    await registerNodeUntilDone(this.o.client, this.o.node, signal, (msg, fields) => this.o.log.warn(msg, fields));
    this.o.log.info('node registered', { node: this.o.node.name, ip: this.o.node.ip });
    this.factory.start(signal);
    await this.factory.waitForCacheSync(signal);
    const loops = [
      this.every(this.o.heartbeatMs ?? 10_000, signal, () => heartbeat(this.o.client, this.o.node)),
      this.every(this.lease.renewIntervalMs, signal, () => this.lease.renew()),
      this.every(this.o.relistMs ?? 1000, signal, () => this.relist()),
      this.every(this.o.relistMs ?? 1000, signal, () => this.hostPorts.sync(this.pods.lister.list())),
      this.every(10_000, signal, async () => { for (const p of this.pods.lister.list()) this.enqueue(p); this.objects.sweep(this.pods.lister.list()); }),
      runWorkers(this.queue, this.o.workers ?? 4, (key) => this.syncKey(key), signal,
        (key, err) => this.o.log.warn('pod sync failed', { pod: key, err: (err as Error).message })),
    ];
    await Promise.all(loops);
    this.objects.close();
    this.hostPorts.close();
    this.cri.close();
  }

  private async every(ms: number, signal: AbortSignal, fn: () => Promise<unknown>): Promise<void> {
    while (!signal.aborted) {
      await fn().catch((err: Error) => this.o.log.warn('periodic task failed', { err: err.message }));
      await sleep(ms, undefined, { signal }).catch(() => undefined); // rejects on abort: the loop condition ends it
    }
  }

  private async syncKey(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pod = this.pods.lister.get(ns, name);
    if (!pod) return; // gone from the API: relist() kills what is left of it
    await this.objects.register(pod); // what the pod references is read before it syncs
    const again = await this.worker.sync(pod);
    if (again !== undefined) this.queue.addAfter(key, again);
  }

  /** PLEG + probes + orphan cleanup from one runtime listing. */
  private async relist(): Promise<void> {
    const containers = (await this.cri.call('ListContainers', {})).containers as CriListed[];
    const states = new Map<string, number>();
    const running = new Set<string>();
    const byUid = new Map<string, Pod>();
    for (const p of this.pods.lister.list()) byUid.set(p.metadata!.uid!, p);
    for (const c of containers) {
      states.set(c.id, c.state);
      const pod = byUid.get(c.labels[LABEL_POD_UID]);
      if (!pod) continue;
      // A change the last sync of the pod already saw (e.g. the container it just started) needs no other sync.
      if (this.lastStates.get(c.id) !== c.state && this.worker.seenState(c.id) !== c.state) this.enqueue(pod);
      if (c.state !== 1) continue;
      running.add(c.id);
      const spec = [...(pod.spec?.containers ?? [])].find((x) => x.name === c.labels[LABEL_CONTAINER_NAME]);
      if (spec && pod.status?.podIP !== undefined) this.prober.tick(pod, spec, c.id, c.created_at / 1e6, pod.status.podIP ?? '');
    }
    this.prober.retain(running);
    this.lastStates = states;
    this.worker.retainSeen(new Set(states.keys()));
    const sandboxes = (await this.cri.call('ListPodSandbox', {})).items as Array<{ id: string; labels: Record<string, string> }>;
    for (const sb of sandboxes) {
      const uid = sb.labels[LABEL_POD_UID];
      if (uid && !byUid.has(uid)) {
        this.o.log.info('killing orphaned pod', { pod: `${sb.labels[LABEL_POD_NAMESPACE]}/${sb.labels[LABEL_POD_NAME]}`, uid });
        await this.worker.kill(uid, 0);
        this.worker.cleanupPodFiles({ metadata: { uid, namespace: sb.labels[LABEL_POD_NAMESPACE], name: sb.labels[LABEL_POD_NAME] } } as Pod);
      }
    }
  }

  /** The Node object as last written (for tests). */
  async getNode(): Promise<Node> { return this.o.client.get<Node>({ resource: 'nodes', name: this.o.node.name }); }
}
