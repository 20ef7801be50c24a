/**
 * The ingress controller: informers on Ingresses, IngressClasses, Services, Endpoints, Nodes and
 * (for spec.tls) Secrets.
 * Any change rebuilds the route table at once (it is small and pure, so a rebuild is cheaper than
 * bookkeeping, and a change is served within milliseconds) and enqueues status work: one key per
 * served Ingress, reconciled level-triggered against the cache by a work queue.
 */
import type { Endpoints, Ingress, IngressClass, Node, Secret, Service } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import type { EventRecorder } from '../lib/client/event-recorder.js';
import { InformerFactory, type SharedInformer } from '../lib/client/informer.js';
import { R } from '../lib/client/resources.js';
import { WorkQueue, runWorkers } from '../lib/client/workqueue.js';
import type { BackendCaches } from './endpoints.js';
import { servesIngress } from './ingress-class.js';
import { log } from './log.js';
import { RouteTable } from './route-table.js';
import { publishedAddresses, writeIngressStatus } from './status.js';
import { TlsContexts, tlsHosts } from './tls.js';

/** Settings of the controller. */
export interface IngressControllerOptions {
  /** Our IngressClass name (default kubesim). */
  className: string;
  /** ns/name of the controller's own Service, whose LoadBalancer addresses go into Ingress status. */
  publishService?: string;
  /** Whether to write Ingress status (on by default). */
  updateStatus?: boolean;
  /** Where "Sync" Events go (as ingress-nginx's "Scheduled for sync"), when given. */
  recorder?: EventRecorder;
}

/** Watches the cluster and keeps the route table and Ingress status current. */
export class IngressController {
  readonly caches: BackendCaches;
  private readonly ingresses: SharedInformer<Ingress>;
  private readonly classes: SharedInformer<IngressClass>;
  private readonly services: SharedInformer<Service>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly nodes: SharedInformer<Node>;
  private readonly secrets: SharedInformer<Secret>;
  /** Certificates by SNI for the HTTPS listener (hosts follow the served Ingresses' spec.tls). */
  readonly tls: TlsContexts;
  private readonly queue = new WorkQueue({ name: 'ingress-status' });
  private current = RouteTable.build([]);
  private readonly listeners: Array<(t: RouteTable) => void> = [];
  private lastSummary = '';
  /** The generation of each served Ingress last announced with a Sync event. */
  private readonly announced = new Map<string, number | undefined>();

  constructor(private readonly client: ApiClient, private readonly factory: InformerFactory, private readonly opts: IngressControllerOptions) {
    this.ingresses = factory.informerFor<Ingress>(R.ingresses);
    this.classes = factory.informerFor<IngressClass>(R.ingressclasses);
    this.services = factory.informerFor<Service>(R.services);
    this.endpoints = factory.informerFor<Endpoints>(R.endpoints);
    this.nodes = factory.informerFor<Node>(R.nodes);
    // Only TLS Secrets matter; the field selector keeps other Secrets out of this process.
    this.secrets = factory.informerFor<Secret>(R.secrets, { fieldSelector: 'type=kubernetes.io/tls' });
    this.tls = new TlsContexts((ns, name) => this.secrets.lister.get(ns, name));
    this.caches = {
      service: (ns, name) => this.services.lister.get(ns, name),
      endpoints: (ns, name) => this.endpoints.lister.get(ns, name),
    };
    const rebuild = { onAdd: () => this.rebuild(), onUpdate: () => this.rebuild(), onDelete: () => this.rebuild() };
    this.ingresses.addEventHandler({
      onAdd: (i) => { this.rebuild(); this.enqueue(i); },
      onUpdate: (_o, i) => { this.rebuild(); this.enqueue(i); },
      onDelete: (i) => { this.rebuild(); this.enqueue(i); }, // the sync forgets it
    });
    this.classes.addEventHandler({ ...rebuild, onAdd: () => this.rebuildAndRequeue(), onUpdate: () => this.rebuildAndRequeue() });
    this.services.addEventHandler({
      onAdd: (s) => { this.rebuild(); if (this.isPublishService(s)) this.requeueAll(); },
      onUpdate: (_o, s) => { this.rebuild(); if (this.isPublishService(s)) this.requeueAll(); },
      onDelete: (s) => { this.rebuild(); if (this.isPublishService(s)) this.requeueAll(); },
    });
    this.endpoints.addEventHandler(rebuild);
    // Node addresses only matter for status, and only when no published LoadBalancer address exists.
    this.nodes.addEventHandler({ onAdd: () => this.requeueAll(), onUpdate: (a, b) => { if (nodeKey(a) !== nodeKey(b)) this.requeueAll(); }, onDelete: () => this.requeueAll() });
  }

  /** The route table requests are matched against right now. */
  table(): RouteTable { return this.current; }

  /** Calls `fn` with every new table (the proxy prunes its agents there). */
  onTable(fn: (t: RouteTable) => void): void { this.listeners.push(fn); }

  /** The Ingresses this controller serves, from the cache. */
  served(): Ingress[] {
    const classes = this.classes.lister.list();
    return this.ingresses.lister.list().filter((i) => servesIngress(i, this.opts.className, classes));
  }

  /** Starts the informers (through the factory) and the status worker until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.factory.start(signal);
    if (!(await this.factory.waitForCacheSync(signal))) return;
    this.rebuildAndRequeue();
    log('info', 'caches synced', { ingressclass: this.opts.className, routes: this.current.size() });
    await runWorkers(this.queue, 1, (key) => this.syncStatus(key, signal), signal, (key, err) => {
      log('warn', 'status update failed', { ingress: key, error: (err as Error).message });
    });
  }

  /** True once every informer has listed. */
  hasSynced(): boolean {
    return [this.ingresses, this.classes, this.services, this.endpoints, this.nodes, this.secrets].every((i) => i.hasSynced());
  }

  private rebuild(): void {
    const served = this.served();
    this.current = RouteTable.build(served);
    this.tls.setHosts(tlsHosts(served));
    for (const fn of this.listeners) fn(this.current);
    const summary = `${served.length}/${this.current.size()}`;
    if (summary !== this.lastSummary) {
      this.lastSummary = summary;
      log('info', 'route table rebuilt', { ingresses: served.length, routes: this.current.size() });
    }
  }

  private rebuildAndRequeue(): void { this.rebuild(); this.requeueAll(); }

  private requeueAll(): void { for (const i of this.ingresses.lister.list()) this.enqueue(i); }

  private enqueue(i: Ingress): void {
    if (this.opts.updateStatus === false) return;
    this.queue.add(`${i.metadata?.namespace ?? 'default'}/${i.metadata?.name ?? ''}`);
  }

  private isPublishService(s: Service): boolean {
    return this.opts.publishService === `${s.metadata?.namespace}/${s.metadata?.name}`;
  }

  private async syncStatus(key: string, signal: AbortSignal): Promise<void> {
    const [ns, name] = key.split('/');
    const ing = this.ingresses.lister.get(ns, name);
    if (!ing || !servesIngress(ing, this.opts.className, this.classes.lister.list())) { this.announced.delete(key); return; }
    const gen = ing.metadata?.generation;
    if (!this.announced.has(key) || this.announced.get(key) !== gen) {
      this.announced.set(key, gen);
      this.opts.recorder?.event(ing, 'Normal', 'Sync', 'Scheduled for sync');
    }
    const [pns, pname] = (this.opts.publishService ?? '').split('/');
    const svc = pname ? this.services.lister.get(pns, pname) : undefined;
    await writeIngressStatus(this.client, ing, publishedAddresses(svc, this.nodes.lister.list()), signal);
  }
}

function nodeKey(n: Node): string {
  return JSON.stringify([n.status?.addresses ?? [], n.status?.conditions?.find((c) => c.type === 'Ready')?.status]);
}
