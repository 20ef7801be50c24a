/**
 * Garbage collector: deletes objects whose owners are all gone (background cascading deletion,
 * as `kubectl delete` does by default), finishes foreground deletion (dependents first, then the
 * `foregroundDeletion` finalizer is removed) and orphaning (owner references removed, then the
 * `orphan` finalizer). Owners are looked up by UID; an absent owner is confirmed with a live GET
 * before anything is deleted, so a stale cache never deletes a dependent of a new owner.
 */
import type { KObject, OwnerReference } from '../../lib/api/object.js';
import type { ApiClient, ResourceTarget } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { isApiError } from '../../lib/errors.js';
import type { InformerFactory } from '../../lib/client/informer.js';

/** Kinds the collector tracks: kind → where it lives. */
export const GC_RESOURCES: Record<string, { group: string; resource: string }> = {
  Pod: { group: '', resource: 'pods' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ControllerRevision: { group: 'apps', resource: 'controllerrevisions' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  ReplicationController: { group: '', resource: 'replicationcontrollers' },
  Service: { group: '', resource: 'services' },
  EndpointSlice: { group: 'discovery.k8s.io', resource: 'endpointslices' },
  ConfigMap: { group: '', resource: 'configmaps' },
  Secret: { group: '', resource: 'secrets' },
  PersistentVolumeClaim: { group: '', resource: 'persistentvolumeclaims' },
};

const SEP = '|';

/** The garbage collector controller. */
export class GarbageCollector {
  readonly queue = new WorkQueue({ name: 'garbagecollector' });
  private readonly informers = new Map<string, SharedInformer>();

  constructor(factory: InformerFactory, private readonly client: ApiClient) {
    for (const [kind, where] of Object.entries(GC_RESOURCES)) {
      const inf = factory.informerFor(where);
      this.informers.set(kind, inf);
      inf.addEventHandler({
        onAdd: (o) => this.changed(kind, o),
        onUpdate: (_old, o) => this.changed(kind, o),
        onDelete: (o) => this.ownerGone(o),
      });
    }
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  private keyOf(kind: string, o: KObject): string {
    return [kind, o.metadata?.namespace ?? '', o.metadata?.name ?? ''].join(SEP);
  }

  private changed(kind: string, o: KObject): void {
    if (o.metadata?.ownerReferences?.length) this.queue.add(this.keyOf(kind, o));
    const f = o.metadata?.finalizers ?? [];
    if (o.metadata?.deletionTimestamp && (f.includes('foregroundDeletion') || f.includes('orphan'))) this.queue.add(this.keyOf(kind, o));
  }

  private ownerGone(o: KObject): void {
    for (const d of this.dependents(o.metadata?.uid ?? '')) this.queue.add(this.keyOf(d.kind, d.obj));
    // An owner waiting in foreground deletion may now have no dependents left.
    for (const ref of o.metadata?.ownerReferences ?? []) {
      if (GC_RESOURCES[ref.kind]) this.queue.add([ref.kind, o.metadata?.namespace ?? '', ref.name].join(SEP));
    }
  }

  private dependents(uid: string): { kind: string; obj: KObject }[] {
    const out: { kind: string; obj: KObject }[] = [];
    for (const [kind, inf] of this.informers) for (const obj of inf.lister.byIndex('ownerUID', uid)) out.push({ kind, obj });
    return out;
  }

  private target(kind: string, namespace: string): ResourceTarget | undefined {
    const where = GC_RESOURCES[kind];
    return where ? { group: where.group, resource: where.resource, namespace: namespace || undefined } : undefined;
  }

  /** Handles one object: finish its foreground/orphan deletion, or collect it when its owners are gone. */
  async sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split(SEP);
    const obj = this.informers.get(kind)?.lister.get(namespace || undefined, name);
    if (!obj) return;
    const f = obj.metadata?.finalizers ?? [];
    if (obj.metadata?.deletionTimestamp && f.includes('orphan')) await this.orphanDependents(kind, obj);
    if (obj.metadata?.deletionTimestamp && f.includes('foregroundDeletion')) await this.deleteDependentsFirst(kind, obj);
    const refs = obj.metadata?.ownerReferences ?? [];
    if (!refs.length) return;
    const alive: OwnerReference[] = [];
    let ownerDeletingForeground = false;
    for (const ref of refs) {
      const owner = await this.liveOwner(ref, namespace);
      if (owner) {
        alive.push(ref);
        if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion')) ownerDeletingForeground = true;
      }
    }
    const t = this.target(kind, namespace)!;
    if (alive.length === 0 || (ownerDeletingForeground && alive.length === refs.filter((r) => r.blockOwnerDeletion).length)) {
      if (obj.metadata?.deletionTimestamp) return;
      const policy = ownerDeletingForeground ? 'Foreground' : 'Background';
      await this.client.delete({ ...t, name }, { propagationPolicy: policy, preconditions: { uid: obj.metadata?.uid } }).catch(ignore);
      return;
    }
    if (alive.length < refs.length) {
      await this.client.patch({ ...t, name }, 'merge', { metadata: { ownerReferences: alive, uid: obj.metadata?.uid } }).catch(ignore);
    }
  }

  /** The owner if it exists with the referenced UID (cache first, then a live GET). */
  private async liveOwner(ref: OwnerReference, namespace: string): Promise<KObject | undefined> {
    const cached = this.informers.get(ref.kind)?.lister.get(namespace || undefined, ref.name);
    if (cached?.metadata?.uid === ref.uid) return cached;
    const t = this.target(ref.kind, namespace);
    if (!t) return { metadata: { uid: ref.uid } }; // a kind we do not track: never collect on its account
    try {
      const live = await this.client.get({ ...t, name: ref.name });
      return live.metadata?.uid === ref.uid ? live : undefined;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async orphanDependents(kind: string, owner: KObject): Promise<void> {
    const uid = owner.metadata!.uid!;
    for (const d of this.dependents(uid)) {
      const t = this.target(d.kind, d.obj.metadata?.namespace ?? '')!;
      const refs = (d.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
      await this.client.patch({ ...t, name: d.obj.metadata!.name! }, 'merge', { metadata: { ownerReferences: refs.length ? refs : null } }).catch(ignore);
    }
    await this.removeFinalizer(kind, owner, 'orphan');
  }

  private async deleteDependentsFirst(kind: string, owner: KObject): Promise<void> {
    const deps = this.dependents(owner.metadata!.uid!);
    for (const d of deps) {
      if (d.obj.metadata?.deletionTimestamp) continue;
      const t = this.target(d.kind, d.obj.metadata?.namespace ?? '')!;
      await this.client.delete({ ...t, name: d.obj.metadata!.name! }, { propagationPolicy: 'Foreground' }).catch(ignore);
    }
    if (deps.length === 0) await this.removeFinalizer(kind, owner, 'foregroundDeletion');
  }

  private async removeFinalizer(kind: string, obj: KObject, finalizer: string): Promise<void> {
    const t = this.target(kind, obj.metadata?.namespace ?? '')!;
    const next = structuredClone(obj);
    next.metadata!.finalizers = (next.metadata!.finalizers ?? []).filter((f) => f !== finalizer);
    await this.client.update(t, next).catch(ignore);
  }
}

function ignore(err: unknown): void {
  if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return;
  throw err;
}
