/**
 * Namespace controller: a namespace being deleted (phase Terminating) has everything inside it
 * deleted; once nothing is left, the `kubernetes` finalizer is removed through the `finalize`
 * subresource and the namespace is deleted for good.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';
import type { InformerFactory } from '../../lib/client/informer.js';

/** Every namespaced resource emptied before a namespace goes (workloads first, so they stop recreating). */
export const NAMESPACED_RESOURCES: { group: string; resource: string }[] = [
  { group: 'apps', resource: 'deployments' }, { group: 'apps', resource: 'statefulsets' }, { group: 'apps', resource: 'daemonsets' },
  { group: 'apps', resource: 'replicasets' }, { group: '', resource: 'replicationcontrollers' }, { group: 'batch', resource: 'cronjobs' },
  { group: 'batch', resource: 'jobs' }, { group: 'autoscaling', resource: 'horizontalpodautoscalers' }, { group: '', resource: 'pods' },
  { group: 'apps', resource: 'controllerrevisions' }, { group: '', resource: 'services' }, { group: '', resource: 'endpoints' },
  { group: 'discovery.k8s.io', resource: 'endpointslices' }, { group: 'networking.k8s.io', resource: 'ingresses' },
  { group: '', resource: 'configmaps' }, { group: '', resource: 'secrets' }, { group: '', resource: 'serviceaccounts' },
  { group: '', resource: 'persistentvolumeclaims' }, { group: '', resource: 'resourcequotas' }, { group: '', resource: 'limitranges' },
  { group: 'rbac.authorization.k8s.io', resource: 'roles' }, { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  { group: 'coordination.k8s.io', resource: 'leases' }, { group: 'policy', resource: 'poddisruptionbudgets' }, { group: '', resource: 'events' },
];

/** The Namespace controller. */
export class NamespaceController {
  readonly queue = new WorkQueue({ name: 'namespace' });
  private readonly namespaces: SharedInformer;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.namespaces = informers.informerFor({ resource: 'namespaces' });
    const changed = (ns: KObject) => { if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!); };
    this.namespaces.addEventHandler({ onAdd: changed, onUpdate: (_o, ns) => changed(ns) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Empties a terminating namespace, then finalizes it; requeues while objects remain. */
  async sync(name: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, name);
    if (!ns?.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const r of NAMESPACED_RESOURCES) {
      let items: KObject[];
      try {
        items = (await this.client.list({ ...r, namespace: name })).items;
      } catch (err) {
        if (isApiError(err, 'NotFound')) continue; // a kind this apiserver does not serve
        throw err;
      }
      for (const obj of items) {
        remaining++;
        if (obj.metadata?.deletionTimestamp) continue;
        await this.client.delete({ ...r, namespace: name, name: obj.metadata!.name! }, { propagationPolicy: 'Background' })
          .catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
      }
    }
    if (remaining > 0) { this.queue.addAfter(name, 500); return; }
    const next = structuredClone(ns);
    const spec = (next.spec ?? {}) as { finalizers?: string[] };
    spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
    next.spec = spec;
    const ignoreGone = (err: unknown) => { if (!isApiError(err, 'NotFound')) throw err; };
    await this.client.update({ resource: 'namespaces', subresource: 'finalize' }, next).catch(ignoreGone);
    // With no finalizers left, deleting again removes it (as Kubernetes' namespace deleter does).
    await this.client.delete({ resource: 'namespaces', name }).catch(ignoreGone);
  }
}
