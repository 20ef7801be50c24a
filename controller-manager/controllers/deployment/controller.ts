/**
 * Deployment controller: one ReplicaSet per pod template, named `<deployment>-<pod-template-hash>`;
 * RollingUpdate (maxSurge/maxUnavailable) and Recreate; revisions in
 * `deployment.kubernetes.io/revision` (a re-activated old template gets the next revision, which is
 * how `kubectl rollout undo` works); old ReplicaSets kept at 0 up to revisionHistoryLimit; status
 * and conditions such that `kubectl rollout status|history|undo` work unchanged.
 */
import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { SharedInformer } from '../../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../../lib/client/indexer.js';
import { selectorFromLabelSelector } from '../../../lib/labels/selector.js';
import { isApiError } from '../../../lib/errors.js';
import { controllerRef, ownerRefFor } from '../../pods.js';
import type { Recorder } from '../../recorder.js';
import type { InformerFactory } from '../../../lib/client/informer.js';
import { podTemplateHash, sameTemplate } from './hash.js';
import { computeStatus, rolloutComplete } from './status.js';
import { byCreation, CHANGE_CAUSE, DESIRED_REPLICAS, MAX_REPLICAS, REVISION, revisionOf, specReplicas, statusSum, surgeAndUnavailable } from './util.js';

const RS = { group: 'apps', resource: 'replicasets' };

/** The Deployment controller. */
export class DeploymentController {
  readonly queue = new WorkQueue({ name: 'deployments' });
  private readonly deployments: SharedInformer<Deployment>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder) {
    this.deployments = informers.informerFor<Deployment>({ group: 'apps', resource: 'deployments' });
    this.replicaSets = informers.informerFor<ReplicaSet>(RS);
    this.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(keyOf(d)),
      onUpdate: (_o, d) => this.queue.add(keyOf(d)),
      onDelete: (d) => this.queue.add(keyOf(d)),
    });
    const rsChanged = (rs: ReplicaSet) => {
      const ref = controllerRef(rs);
      if (ref?.kind === 'Deployment') { this.queue.add(`${rs.metadata?.namespace}/${ref.name}`); return; }
      if (ref) return;
      for (const d of this.deployments.lister.list(undefined, rs.metadata?.namespace)) {
        if (selectorFromLabelSelector(d.spec?.selector as never).matches(rs.metadata?.labels)) this.queue.add(keyOf(d));
      }
    };
    this.replicaSets.addEventHandler({ onAdd: rsChanged, onUpdate: (_o, rs) => rsChanged(rs), onDelete: rsChanged });
  }

  /** Runs `workers` sync loops until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges one deployment (namespace/name). */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.lister.get(namespace, name);
    if (!cached) return;
    let d: Deployment = cached;
    const all = await this.claimReplicaSets(d);
    if (d.metadata?.deletionTimestamp) { await this.writeStatus(d, undefined, all, false); return; }
    let newRS = all.find((rs) => sameTemplate(rs.spec?.template, cached.spec?.template));
    let old = all.filter((rs) => rs !== newRS);
    let created = false;
    if (d.spec?.paused) { await this.writeStatus(d, newRS, all, false); return; }
    if (!newRS) {
      newRS = await this.createNewRS(d, old);
      created = true;
      all.push(newRS);
    } else {
      newRS = await this.ensureLatestRevision(d, newRS, old);
    }
    d = await this.syncRevisionAnnotation(d, newRS);
    old = all.filter((rs) => rs.metadata?.uid !== newRS!.metadata?.uid);
    const current = all.map((rs) => (rs.metadata?.uid === newRS!.metadata?.uid ? newRS! : rs));
    if (d.spec?.strategy?.type === 'Recreate') await this.recreate(d, newRS, old);
    else await this.rolling(d, newRS, old, current);
    if (rolloutComplete(d, newRS, current)) await this.cleanup(d, old);
    await this.writeStatus(d, newRS, current, created);
  }

  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromLabelSelector(d.spec?.selector as never);
    const out: ReplicaSet[] = [];
    let canAdopt: boolean | undefined;
    for (const rs of this.replicaSets.lister.list(undefined, d.metadata!.namespace)) {
      const ref = controllerRef(rs);
      if (ref?.uid === d.metadata!.uid) { out.push(rs); continue; }
      if (ref || !selector.matches(rs.metadata?.labels) || d.metadata?.deletionTimestamp) continue;
      // The cache may be behind: adopt only if the live deployment is the same and not being deleted.
      canAdopt ??= await this.client.get({ group: 'apps', resource: 'deployments', namespace: d.metadata!.namespace!, name: d.metadata!.name! })
        .then((live) => live.metadata?.uid === d.metadata?.uid && !live.metadata?.deletionTimestamp, () => false);
      if (!canAdopt) continue;
      try {
        out.push(await this.client.patch<ReplicaSet>({ ...RS, namespace: d.metadata!.namespace!, name: rs.metadata!.name! }, 'merge',
          { metadata: { ownerReferences: [...(rs.metadata?.ownerReferences ?? []), ownerRefFor(d, 'apps/v1', 'Deployment')], uid: rs.metadata!.uid } }));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    return out;
  }

  private async createNewRS(d: Deployment, old: ReplicaSet[]): Promise<ReplicaSet> {
    const hash = podTemplateHash(d.spec?.template, d.status?.collisionCount);
    const template = structuredClone(d.spec!.template!);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    const selector = structuredClone(d.spec!.selector!);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
    const replicas = d.spec?.replicas ?? 1;
    const { surge } = surgeAndUnavailable(d);
    const initial = d.spec?.strategy?.type === 'Recreate' ? 0 : Math.max(0, Math.min(replicas + surge - specReplicas(old), replicas));
    const revision = Math.max(0, ...old.map(revisionOf)) + 1;
    const annotations: Record<string, string> = { [REVISION]: String(revision), [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + surge) };
    const cause = d.metadata?.annotations?.[CHANGE_CAUSE];
    if (cause) annotations[CHANGE_CAUSE] = cause;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata!.name}-${hash}`, namespace: d.metadata!.namespace, labels: template.metadata.labels, annotations, ownerReferences: [ownerRefFor(d, 'apps/v1', 'Deployment')] },
      spec: { replicas: initial, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    try {
      const created = await this.client.create<ReplicaSet>({ ...RS, namespace: d.metadata!.namespace! }, rs);
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata!.name} from 0 to ${initial}`);
      return created;
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      // A different template hashed to the same name: bump collisionCount and retry next sync.
      const next = structuredClone(d);
      next.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      await this.client.updateStatus({ group: 'apps', resource: 'deployments', namespace: d.metadata!.namespace! }, next);
      throw err;
    }
  }

  /** A re-activated older template (rollback) becomes the newest revision; change-cause follows. */
  private async ensureLatestRevision(d: Deployment, rs: ReplicaSet, old: ReplicaSet[]): Promise<ReplicaSet> {
    const maxOld = Math.max(0, ...old.map(revisionOf));
    const cause = d.metadata?.annotations?.[CHANGE_CAUSE];
    const needRevision = revisionOf(rs) <= maxOld;
    const needCause = cause !== undefined && rs.metadata?.annotations?.[CHANGE_CAUSE] !== cause;
    if (!needRevision && !needCause) return rs;
    const next = structuredClone(rs);
    next.metadata!.annotations = { ...(next.metadata!.annotations ?? {}) };
    if (needRevision) next.metadata!.annotations[REVISION] = String(maxOld + 1);
    if (cause !== undefined) next.metadata!.annotations[CHANGE_CAUSE] = cause;
    return this.client.update<ReplicaSet>({ ...RS, namespace: rs.metadata!.namespace! }, next);
  }

  /**
   * The Deployment carries its newest revision in the same annotation, as Kubernetes' controller
   * does; `kubectl rollout undo` JSON-patches `/metadata/annotations` and fails when it is missing.
   */
  private async syncRevisionAnnotation(d: Deployment, newRS: ReplicaSet): Promise<Deployment> {
    const revision = String(revisionOf(newRS));
    if (d.metadata?.annotations?.[REVISION] === revision) return d;
    return this.client.patch<Deployment>({ group: 'apps', resource: 'deployments', namespace: d.metadata!.namespace!, name: d.metadata!.name! }, 'merge',
      { metadata: { annotations: { [REVISION]: revision } } });
  }

  private async scale(d: Deployment, rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const from = rs.spec?.replicas ?? 0;
    if (from === replicas) return rs;
    const next = structuredClone(rs);
    next.spec = { ...(next.spec ?? {}), replicas };
    const { surge } = surgeAndUnavailable(d);
    next.metadata!.annotations = { ...(next.metadata!.annotations ?? {}), [DESIRED_REPLICAS]: String(d.spec?.replicas ?? 1), [MAX_REPLICAS]: String((d.spec?.replicas ?? 1) + surge) };
    const updated = await this.client.update<ReplicaSet>({ ...RS, namespace: rs.metadata!.namespace! }, next);
    this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata!.name} from ${from} to ${replicas}`);
    return updated;
  }

  private async recreate(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[]): Promise<void> {
    let scaledDown = false;
    for (const rs of old) if ((rs.spec?.replicas ?? 0) > 0) { await this.scale(d, rs, 0); scaledDown = true; }
    if (scaledDown || statusSum(old, 'replicas') > 0) return; // wait for old pods to be gone
    await this.scale(d, newRS, d.spec?.replicas ?? 1);
  }

  private async rolling(d: Deployment, newRS: ReplicaSet, old: ReplicaSet[], all: ReplicaSet[]): Promise<void> {
    const replicas = d.spec?.replicas ?? 1;
    const { surge, unavailable } = surgeAndUnavailable(d);
    // Scale the new RS up as far as maxSurge allows (or down when the deployment shrank).
    const newSpec = newRS.spec?.replicas ?? 0;
    if (newSpec > replicas) { await this.scale(d, newRS, replicas); return; }
    if (newSpec < replicas) {
      const room = replicas + surge - specReplicas(all);
      if (room > 0) { await this.scale(d, newRS, newSpec + Math.min(room, replicas - newSpec)); return; }
    }
    // Scale old RSs down as far as maxUnavailable allows, unhealthy replicas first.
    if (specReplicas(old) === 0) return;
    const minAvailable = replicas - unavailable;
    const newUnavailable = (newRS.spec?.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const sorted = [...old].sort(byCreation);
    let done = 0;
    const spec = new Map(sorted.map((rs) => [rs.metadata!.uid!, rs.spec?.replicas ?? 0]));
    for (const rs of sorted) {
      if (done >= maxScaledDown) break;
      const cur = spec.get(rs.metadata!.uid!)!;
      const unhealthy = cur - (rs.status?.availableReplicas ?? 0);
      if (cur === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - done, unhealthy);
      await this.scale(d, rs, cur - n);
      spec.set(rs.metadata!.uid!, cur - n);
      done += n;
    }
    const availableNow = statusSum(all, 'availableReplicas');
    const budget = availableNow - minAvailable;
    let healthyDone = 0;
    for (const rs of sorted) {
      if (healthyDone >= budget || done + healthyDone >= maxScaledDown) break;
      const cur = spec.get(rs.metadata!.uid!)!;
      if (cur === 0) continue;
      const n = Math.min(cur, budget - healthyDone, maxScaledDown - done - healthyDone);
      if (n <= 0) break;
      await this.scale(d, rs, cur - n);
      spec.set(rs.metadata!.uid!, cur - n);
      healthyDone += n;
    }
  }

  /** Deletes old, empty ReplicaSets beyond revisionHistoryLimit (oldest first). */
  private async cleanup(d: Deployment, old: ReplicaSet[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const empty = old.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata?.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of empty.slice(0, Math.max(0, empty.length - limit))) {
      await this.client.delete({ ...RS, namespace: rs.metadata!.namespace!, name: rs.metadata!.name! }).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
    }
  }

  private async writeStatus(d: Deployment, newRS: ReplicaSet | undefined, all: ReplicaSet[], created: boolean): Promise<void> {
    const status = computeStatus(d, newRS, all, created);
    if (JSON.stringify(status) === JSON.stringify(d.status)) return;
    const next = structuredClone(d);
    next.status = status;
    try {
      await this.client.updateStatus({ group: 'apps', resource: 'deployments', namespace: d.metadata!.namespace! }, next);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    // Progress deadlines are checked again later even if nothing else changes.
    if (!rolloutComplete(d, newRS, all)) this.queue.addAfter(keyOf(d), ((d.spec?.progressDeadlineSeconds ?? 600) * 1000) + 1000);
  }
}
