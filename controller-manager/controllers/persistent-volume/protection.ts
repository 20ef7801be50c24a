/**
 * Storage object in-use protection (Kubernetes' pvc-protection and pv-protection controllers):
 * claims carry the finalizer `kubernetes.io/pvc-protection` and volumes `kubernetes.io/pv-protection`
 * (added here: the StorageObjectInUseProtection admission plugin would add them at creation).
 * A deleted claim stays Terminating while a pod that is not finished mounts it; a deleted volume
 * while it is Bound. The finalizer goes once nothing uses the object, and the deletion completes.
 */
import type { KObject } from '../../../lib/api/object.js';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../../lib/api/types.js';
import type { ApiClient, ResourceTarget } from '../../../lib/client/api-client.js';
import type { SharedInformer } from '../../../lib/client/informer.js';
import { keyOf, splitKey } from '../../../lib/client/indexer.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { clientLog } from '../../../lib/client/log.js';
import { isApiError } from '../../../lib/errors.js';
import type { InformerFactory } from '../../../lib/client/informer.js';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** Adds or removes `finalizer` with a conditional update (a Conflict is retried by the queue). */
async function setFinalizer(client: ApiClient, target: ResourceTarget, obj: KObject, finalizer: string, present: boolean): Promise<void> {
  const has = obj.metadata?.finalizers?.includes(finalizer) ?? false;
  if (has === present) return;
  const next = structuredClone(obj);
  const rest = (next.metadata!.finalizers ?? []).filter((f) => f !== finalizer);
  next.metadata!.finalizers = present ? [...rest, finalizer] : rest;
  await client.update({ ...target, namespace: obj.metadata?.namespace }, next).catch((err) => {
    if (!isApiError(err, 'NotFound')) throw err;
  });
}

function claimNames(p: Pod): string[] {
  return (p.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n);
}

/** Keeps claims that pods use from going away under them. */
export class PvcProtectionController {
  readonly queue = new WorkQueue({ name: 'pvc-protection' });
  private readonly pvcs: SharedInformer<PersistentVolumeClaim>;
  private readonly pods: SharedInformer<Pod>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.pvcs = informers.informerFor<PersistentVolumeClaim>({ resource: 'persistentvolumeclaims' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.pvcs.addEventHandler({ onAdd: (c) => this.queue.add(keyOf(c)), onUpdate: (_o, c) => this.queue.add(keyOf(c)) });
    const podChanged = (p: Pod) => { for (const c of claimNames(p)) this.queue.add(`${p.metadata!.namespace}/${c}`); };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), signal, (key, err) => clientLog('warn', 'pvc protection sync failed', { key, error: (err as Error).message }));
  }

  /** True when a pod that has not finished mounts the claim. */
  private inUse(namespace: string, name: string): boolean {
    return this.pods.lister.byIndex('namespace', namespace)
      .some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && claimNames(p).includes(name));
  }

  /** Converges one claim's finalizer. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.pvcs.lister.get(namespace, name);
    if (!claim) return;
    if (!claim.metadata?.deletionTimestamp) return setFinalizer(this.client, { resource: 'persistentvolumeclaims' }, claim, PVC_PROTECTION, true);
    if (this.inUse(namespace, name)) return; // a pod change re-queues the claim
    await setFinalizer(this.client, { resource: 'persistentvolumeclaims' }, claim, PVC_PROTECTION, false);
    clientLog('info', 'claim no longer in use; deletion proceeds', { pvc: key });
  }
}

/** Keeps bound volumes from going away under their claims. */
export class PvProtectionController {
  readonly queue = new WorkQueue({ name: 'pv-protection' });
  private readonly pvs: SharedInformer<PersistentVolume>;

  constructor(informers: InformerFactory, private readonly client: ApiClient) {
    this.pvs = informers.informerFor<PersistentVolume>({ resource: 'persistentvolumes' });
    this.pvs.addEventHandler({ onAdd: (v) => this.queue.add(v.metadata!.name!), onUpdate: (_o, v) => this.queue.add(v.metadata!.name!) });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), signal, (key, err) => clientLog('warn', 'pv protection sync failed', { key, error: (err as Error).message }));
  }

  /** Converges one volume's finalizer. */
  async sync(name: string): Promise<void> {
    const pv = this.pvs.lister.get(undefined, name);
    if (!pv) return;
    const deleting = !!pv.metadata?.deletionTimestamp;
    if (deleting && pv.status?.phase === 'Bound') return; // the binder changes the phase when the claim goes
    await setFinalizer(this.client, { resource: 'persistentvolumes' }, pv, PV_PROTECTION, !deleting);
  }
}
