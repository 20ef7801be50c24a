/**
 * ReplicaSet and ReplicationController: keep `spec.replicas` active pods matching the selector.
 * Informer events only enqueue the owner's key; sync(key) reads the cache and converges
 * (create from the template in slow-start batches, delete extras by rank, adopt matching orphans,
 * release pods that stopped matching, write status). Expectations keep a stale cache from
 * double-creating. One class serves both kinds: they differ only in selector shape.
 */
import type { KObject } from '../../lib/api/object.js';
import type { Pod, ReplicaSet } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../../lib/labels/selector.js';
import { isApiError } from '../../lib/errors.js';
import { Expectations } from '../expectations.js';
import { controllerRef, deletionRank, isPodActive, isPodAvailable, isPodReady, ownerRefFor, podFromTemplate } from '../pods.js';
import type { Recorder } from '../recorder.js';
import type { InformerFactory } from '../../lib/client/informer.js';

/** Which kind this instance manages. */
export interface ReplicaKind { group: string; resource: string; kind: string; apiVersion: string; selector(rs: ReplicaSet): Selector }

export const REPLICA_SET: ReplicaKind = {
  group: 'apps', resource: 'replicasets', kind: 'ReplicaSet', apiVersion: 'apps/v1',
  selector: (rs) => selectorFromLabelSelector(rs.spec?.selector as never),
};
export const REPLICATION_CONTROLLER: ReplicaKind = {
  group: '', resource: 'replicationcontrollers', kind: 'ReplicationController', apiVersion: 'v1',
  selector: (rc) => {
    const sel = (rc.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return sel && Object.keys(sel).length ? selectorFromSet(sel) : selectorFromSet(rc.spec?.template?.metadata?.labels);
  },
};

const BURST_REPLICAS = 500;

/** The ReplicaSet (or ReplicationController) controller. */
export class ReplicaSetController {
  readonly queue: WorkQueue;
  private readonly owners: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly expectations = new Expectations();

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, private readonly k: ReplicaKind = REPLICA_SET) {
    this.queue = new WorkQueue({ name: k.resource });
    this.owners = informers.informerFor<ReplicaSet>({ group: k.group, resource: k.resource });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    this.owners.addEventHandler({
      onAdd: (rs) => this.queue.add(keyOf(rs)),
      onUpdate: (_o, rs) => this.queue.add(keyOf(rs)),
      onDelete: (rs) => { this.expectations.delete(keyOf(rs)); this.queue.add(keyOf(rs)); },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p, 'add'),
      onUpdate: (old, p) => { this.podChanged(old); this.podChanged(p); },
      onDelete: (p) => this.podChanged(p, 'delete'),
    });
  }

  /** Runs `workers` sync loops until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  private podChanged(p: Pod, op?: 'add' | 'delete'): void {
    const ns = p.metadata?.namespace ?? '';
    const ref = controllerRef(p);
    if (ref) {
      if (ref.kind !== this.k.kind) return;
      const key = `${ns}/${ref.name}`;
      if (op === 'add') this.expectations.creationObserved(key);
      if (op === 'delete') this.expectations.deletionObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: every owner whose selector matches may adopt it.
    for (const rs of this.owners.lister.list(undefined, ns)) {
      if (this.k.selector(rs).matches(p.metadata?.labels)) this.queue.add(keyOf(rs));
    }
  }

  /** Converges one owner (namespace/name). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.owners.lister.get(namespace, name);
    if (!rs) { this.expectations.delete(key); return; }
    const selector = this.k.selector(rs);
    const owned = await this.claimPods(rs, selector);
    const active = owned.filter(isPodActive);
    if (this.expectations.satisfied(key) && !rs.metadata?.deletionTimestamp) {
      await this.manageReplicas(rs, key, active);
    }
    await this.updateStatus(rs, owned, active, selector);
  }

  /** Pods this owner controls after adopting matching orphans and releasing non-matching ones. */
  private async claimPods(rs: ReplicaSet, selector: Selector): Promise<Pod[]> {
    const ns = rs.metadata!.namespace!;
    const out: Pod[] = [];
    let canAdopt: boolean | undefined;
    for (const p of this.pods.lister.list(undefined, ns)) {
      const ref = controllerRef(p);
      const matches = selector.matches(p.metadata?.labels);
      if (ref?.uid === rs.metadata!.uid) {
        if (matches || p.metadata?.deletionTimestamp) { out.push(p); continue; }
        await this.patchOwners(p, (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata!.uid)).catch(ignoreGone);
        continue;
      }
      if (ref || !matches || p.metadata?.deletionTimestamp || rs.metadata?.deletionTimestamp) continue;
      // The cache may be behind: adopt only if the live owner is the same and not being deleted.
      canAdopt ??= await this.ownerStillLive(rs);
      if (!canAdopt) continue;
      const adopted = await this.patchOwners(p, [...(p.metadata?.ownerReferences ?? []), ownerRefFor(rs, this.k.apiVersion, this.k.kind)]).catch(ignoreGone);
      if (adopted) out.push(adopted as Pod);
    }
    return out;
  }

  private async ownerStillLive(rs: ReplicaSet): Promise<boolean> {
    const live = await this.client.get({ group: this.k.group, resource: this.k.resource, namespace: rs.metadata!.namespace!, name: rs.metadata!.name! }).catch(ignoreGone);
    return !!live && live.metadata?.uid === rs.metadata?.uid && !live.metadata?.deletionTimestamp;
  }

  private patchOwners(p: Pod, refs: unknown[]): Promise<KObject> {
    return this.client.patch({ resource: 'pods', namespace: p.metadata!.namespace!, name: p.metadata!.name! }, 'merge',
      { metadata: { ownerReferences: refs, uid: p.metadata!.uid } });
  }

  private async manageReplicas(rs: ReplicaSet, key: string, active: Pod[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = active.length - want;
    const ns = rs.metadata!.namespace!;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expect(key, n, 0);
      const ref = ownerRefFor(rs, this.k.apiVersion, this.k.kind);
      const created = await slowStartBatch(n, async () => {
        const pod = podFromTemplate(rs.spec?.template, ns, `${rs.metadata!.name}-`, ref);
        try {
          const p = await this.client.create({ resource: 'pods', namespace: ns }, pod);
          this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name}`);
        } catch (err) {
          this.expectations.creationObserved(key);
          this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
      if (created < n) for (let i = created; i < n; i++) this.expectations.creationObserved(key);
    } else if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = [...active].sort(deletionRank).slice(0, n);
      this.expectations.expect(key, 0, n);
      await Promise.all(victims.map(async (p) => {
        try {
          await this.client.delete({ resource: 'pods', namespace: ns, name: p.metadata!.name! });
          this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key);
          if (!isApiError(err, 'NotFound')) throw err;
        }
      }));
    }
  }

  private async updateStatus(rs: ReplicaSet, owned: Pod[], active: Pod[], selector: Selector): Promise<void> {
    const tmplLabels = rs.spec?.template?.metadata?.labels ?? {};
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const status = {
      ...(rs.status ?? {}),
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(tmplLabels).every(([k, v]) => p.metadata?.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady)).length,
      observedGeneration: rs.metadata?.generation,
    };
    void owned; void selector;
    const cur = rs.status ?? {};
    if (status.replicas === cur.replicas && status.fullyLabeledReplicas === cur.fullyLabeledReplicas && status.readyReplicas === (cur.readyReplicas ?? 0)
      && status.availableReplicas === (cur.availableReplicas ?? 0) && status.observedGeneration === cur.observedGeneration) {
      if (minReady && status.readyReplicas > status.availableReplicas) this.queue.addAfter(keyOf(rs), minReady * 1000);
      return;
    }
    const next = structuredClone(rs);
    next.status = status;
    try {
      await this.client.updateStatus({ group: this.k.group, resource: this.k.resource, namespace: rs.metadata!.namespace! }, next);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
    if (minReady && status.readyReplicas > status.availableReplicas) this.queue.addAfter(keyOf(rs), minReady * 1000);
  }
}

function ignoreGone(err: unknown): undefined {
  if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return undefined;
  throw err;
}

/** Runs fn `count` times in batches of 1, 2, 4, ... stopping at the first batch with a failure; returns successes. */
export async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<number> {
  let done = 0;
  for (let batch = 1; done < count; batch *= 2) {
    const size = Math.min(batch, count - done);
    const results = await Promise.allSettled(Array.from({ length: size }, fn));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    done += ok;
    if (ok < size) return done;
  }
  return done;
}
