/** ServiceAccount controller: every active namespace has a `default` ServiceAccount (recreated if deleted). */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';
import type { InformerFactory } from '../../lib/client/informer.js';

/** Accounts every namespace gets. */
export const DEFAULT_ACCOUNTS = ['default'];

/** The ServiceAccount controller. */
export class ServiceAccountController {
  readonly queue = new WorkQueue({ name: 'serviceaccount' });
  private readonly namespaces: SharedInformer;
  private readonly accounts: SharedInformer;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.namespaces = informers.informerFor({ resource: 'namespaces' });
    this.accounts = informers.informerFor({ resource: 'serviceaccounts' });
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata!.name!), onUpdate: (_o, ns) => this.queue.add(ns.metadata!.name!) });
    this.accounts.addEventHandler({ onDelete: (sa) => this.queue.add(sa.metadata!.namespace!) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Ensures the default accounts of namespace `name`. */
  async sync(name: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, name);
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    for (const sa of DEFAULT_ACCOUNTS) {
      if (this.accounts.lister.get(name, sa)) continue;
      const obj: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: name } };
      await this.client.create({ resource: 'serviceaccounts', namespace: name }, obj).catch((err) => {
        if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'Forbidden') && !isApiError(err, 'NotFound')) throw err;
      });
    }
  }
}
