/**
 * EndpointSlice controller: for every Service with a selector, slices (discovery.k8s.io/v1,
 * label kubernetes.io/service-name, managed-by endpointslice-controller.k8s.io) list the matching
 * pods with ready/serving/terminating conditions. One slice per distinct port set (as Endpoints
 * subsets), at most 100 endpoints each.
 */
import type { EndpointSlice, Pod, Service } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { controllerRef, isPodReady, ownerRefFor } from '../pods.js';
import { watchServicesAndPods, hasSelector, selectedPods } from '../service-pods.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import { resolveTargetPort } from './endpoints.js';

const SERVICE_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const CONTROLLER = 'endpointslice-controller.k8s.io';
const MAX_PER_SLICE = 100;
const SLICES = { group: 'discovery.k8s.io', resource: 'endpointslices' };

type SliceBody = Pick<EndpointSlice, 'addressType' | 'endpoints' | 'ports'>;

/** The slices (without metadata) a service should have for the given pods. */
export function desiredSlices(svc: Service, pods: Pod[]): SliceBody[] {
  const groups = new Map<string, SliceBody>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const ports = (svc.spec?.ports ?? []).map((sp) => {
      const port = resolveTargetPort(pod, sp.targetPort as number | string | undefined, sp.port ?? 0);
      return port === undefined ? undefined : { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    }).filter((p): p is NonNullable<typeof p> => !!p);
    if ((svc.spec?.ports?.length ?? 0) > 0 && !ports.length) continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const ready = isPodReady(pod);
    const ep = {
      addresses: [ip],
      conditions: { ready: ready && !terminating, serving: ready, terminating },
      nodeName: pod.spec?.nodeName,
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
      ...(pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? { hostname: pod.spec.hostname } : {}),
    };
    const key = JSON.stringify(ports);
    const g: SliceBody = groups.get(key) ?? { addressType: 'IPv4', endpoints: [], ports };
    g.endpoints!.push(ep);
    groups.set(key, g);
  }
  const out: SliceBody[] = [];
  for (const g of groups.values()) {
    const eps = g.endpoints!.sort((a, b) => a.addresses![0].localeCompare(b.addresses![0], undefined, { numeric: true }));
    for (let i = 0; i < eps.length; i += MAX_PER_SLICE) out.push({ addressType: 'IPv4', endpoints: eps.slice(i, i + MAX_PER_SLICE), ports: g.ports });
  }
  return out;
}

/** The EndpointSlice controller. */
export class EndpointSliceController {
  readonly queue = new WorkQueue({ name: 'endpointslice' });
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly slices: SharedInformer<EndpointSlice>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.services = informers.informerFor<Service>({ resource: 'services' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.slices = informers.informerFor<EndpointSlice>(SLICES);
    watchServicesAndPods(this.services, this.pods, this.queue);
    this.slices.addEventHandler({ onDelete: (s) => { const svc = s.metadata?.labels?.[SERVICE_LABEL]; if (svc) this.queue.add(`${s.metadata?.namespace}/${svc}`); } });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges the slices of one service (the garbage collector removes them with the service). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc) return;
    if (!hasSelector(svc) || svc.spec?.type === 'ExternalName') return;
    const want = desiredSlices(svc, selectedPods(svc, this.pods));
    const have = this.slices.lister.list(`${SERVICE_LABEL}=${name},${MANAGED_BY}=${CONTROLLER}`, namespace)
      .filter((s) => controllerRef(s)?.uid === svc.metadata?.uid)
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const t = { ...SLICES, namespace };
    // A service with no endpoints still has one empty slice (Kubernetes keeps a placeholder).
    if (!want.length) want.push({ addressType: 'IPv4', endpoints: [], ports: [] });
    for (let i = 0; i < Math.max(want.length, have.length); i++) {
      const w = want[i];
      const h = have[i];
      if (w && h) {
        if (JSON.stringify({ addressType: h.addressType, endpoints: h.endpoints, ports: h.ports }) === JSON.stringify(w)) continue;
        await this.client.update(t, { ...structuredClone(h), ...w });
      } else if (w) {
        await this.client.create(t, {
          apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace, labels: { ...(svc.metadata?.labels ?? {}), [SERVICE_LABEL]: name, [MANAGED_BY]: CONTROLLER }, ownerReferences: [ownerRefFor(svc, 'v1', 'Service')] },
          ...w,
        } as EndpointSlice);
      } else if (h) {
        await this.client.delete({ ...t, name: h.metadata!.name! }).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
      }
    }
  }
}
