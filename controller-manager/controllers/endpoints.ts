/**
 * Endpoints controller: for every Service with a selector, the Endpoints object of the same name
 * lists the IPs of matching pods (all selector labels must be on the pod — seed 004), ready ones
 * in `addresses`, others in `notReadyAddresses`, with named target ports resolved per pod.
 * Services without a selector keep user-managed Endpoints.
 */
import type { Endpoints, Pod, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { isPodReady } from '../pods.js';
import { watchServicesAndPods, hasSelector, selectedPods } from '../service-pods.js';
import type { InformerFactory } from '../../lib/client/informer.js';

type Subset = NonNullable<Endpoints['subsets']>[number];
type EndpointPort = NonNullable<Subset['ports']>[number];
type Address = NonNullable<Subset['addresses']>[number];

/** The port of `pod` a service port targets, or undefined when a named port is missing. */
export function resolveTargetPort(pod: Pod, target: number | string | undefined, port: number): number | undefined {
  if (target === undefined || target === '') return port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  }
  return undefined;
}

/** The subsets a service should have for the given pods (pods grouped by identical port sets). */
export function computeSubsets(svc: Service, pods: Pod[]): Subset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: Address[]; notReady: Address[] }>();
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.metadata?.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp.targetPort as number | string | undefined, sp.port ?? 0);
      if (port === undefined) continue;
      ports.push({ name: sp.name || undefined, port, protocol: sp.protocol ?? 'TCP', appProtocol: sp.appProtocol } as EndpointPort);
    }
    if ((svc.spec?.ports?.length ?? 0) > 0 && ports.length === 0) continue;
    const addr: Address = { ip, nodeName: pod.spec?.nodeName, targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid } } as Address;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) addr.hostname = pod.spec.hostname;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReady(pod) ? g.ready : g.notReady).push(addr);
  }
  const byIP = (a: Address, b: Address) => (a.ip ?? '').localeCompare(b.ip ?? '', undefined, { numeric: true });
  return [...groups.values()].map((g) => {
    const s: Subset = {};
    if (g.ready.length) s.addresses = g.ready.sort(byIP);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIP);
    if (g.ports.length) s.ports = g.ports;
    return s;
  });
}

/** The Endpoints controller. */
export class EndpointsController {
  readonly queue = new WorkQueue({ name: 'endpoints' });
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.services = informers.informerFor<Service>({ resource: 'services' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.endpoints = informers.informerFor<Endpoints>({ resource: 'endpoints' });
    watchServicesAndPods(this.services, this.pods, this.queue);
    this.endpoints.addEventHandler({ onDelete: (e) => this.queue.add(keyOf(e)) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges the Endpoints of one service. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(namespace, name);
    const current = this.endpoints.lister.get(namespace, name);
    const target = { resource: 'endpoints', namespace };
    if (!svc) {
      // Only Endpoints this controller would manage go with their service (no selector = user's).
      if (current) await this.client.delete({ ...target, name }).catch((e) => { if (!isApiError(e, 'NotFound')) throw e; });
      return;
    }
    if (!hasSelector(svc) || svc.spec?.type === 'ExternalName') return;
    const subsets = computeSubsets(svc, selectedPods(svc, this.pods));
    const labels = { ...(svc.metadata?.labels ?? {}) };
    if (current && JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(current.metadata?.labels ?? {}) === JSON.stringify(labels)) return;
    const next: Endpoints = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.metadata!.labels = labels;
    next.subsets = subsets;
    if (current) await this.client.update(target, next);
    else await this.client.create(target, next).catch(async (e) => { if (!isApiError(e, 'AlreadyExists')) throw e; this.queue.addRateLimited(key); });
  }
}
