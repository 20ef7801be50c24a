/**
 * StatefulSet controller: pods `<name>-0..N-1` with stable hostnames (`hostname` = pod name,
 * `subdomain` = serviceName) and stable storage (PVC `<claim>-<name>-<ordinal>` per
 * volumeClaimTemplate, kept when the pod goes). OrderedReady creates one ordinal at a time, each
 * after the previous is Running and Ready, and scales down from the highest ordinal; Parallel
 * does all at once. RollingUpdate replaces pods in reverse ordinal order down to `partition`;
 * OnDelete leaves it to the user. Revisions are ControllerRevisions (`kubectl rollout history`).
 */
import type { Pod, StatefulSet } from '../../lib/api/types.js';
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { WorkQueue, runWorkers } from '../../lib/client/workqueue.js';
import { keyOf, splitKey } from '../../lib/client/indexer.js';
import { isApiError } from '../../lib/errors.js';
import { controllerRef, isPodActive, isPodReady, ownerRefFor, podFromTemplate } from '../pods.js';
import type { Recorder } from '../recorder.js';
import type { InformerFactory } from '../../lib/client/informer.js';
import { podTemplateHash } from './deployment/hash.js';

const REVISION_LABEL = 'controller-revision-hash';
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** Ordinal of a pod named `<set>-<n>`, or -1. */
export function ordinalOf(setName: string, podName: string): number {
  if (!podName.startsWith(`${setName}-`)) return -1;
  const rest = podName.slice(setName.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : -1;
}

/** The StatefulSet controller. */
export class StatefulSetController {
  readonly queue = new WorkQueue({ name: 'statefulset' });
  private readonly sets: SharedInformer<StatefulSet>;
  private readonly pods: SharedInformer<Pod>;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder) {
    this.sets = informers.informerFor<StatefulSet>({ group: 'apps', resource: 'statefulsets' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    informers.informerFor({ resource: 'persistentvolumeclaims' });
    this.sets.addEventHandler({ onAdd: (s) => this.queue.add(keyOf(s)), onUpdate: (_o, s) => this.queue.add(keyOf(s)) });
    const podChanged = (p: Pod) => {
      const ref = controllerRef(p);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${p.metadata?.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  /** Runs workers until signal aborts. */
  run(workers: number, signal: AbortSignal): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key), signal);
  }

  /** Converges one StatefulSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.lister.get(namespace, name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const updateRevision = `${name}-${podTemplateHash(set.spec?.template)}`;
    await this.ensureRevision(set, updateRevision);
    const replicas = set.spec?.replicas ?? 1;
    const parallel = set.spec?.podManagementPolicy === 'Parallel';
    const pods = new Map<number, Pod>();
    for (const p of this.pods.lister.byIndex('ownerUID', set.metadata!.uid!)) {
      const ord = ordinalOf(name, p.metadata!.name!);
      if (ord >= 0) pods.set(ord, p);
    }
    // Failed pods are replaced.
    for (const [ord, p] of pods) {
      if (p.status?.phase === 'Failed' && !p.metadata?.deletionTimestamp) {
        await this.deletePod(set, p);
        pods.delete(ord);
      }
    }
    // Create missing ordinals in order.
    for (let ord = 0; ord < replicas; ord++) {
      const p = pods.get(ord);
      if (!p) {
        await this.createPod(set, ord, updateRevision);
        if (!parallel) return this.writeStatus(set, pods, updateRevision);
        continue;
      }
      if (!parallel && (!isPodActive(p) || p.status?.phase !== 'Running' || !isPodReady(p))) return this.writeStatus(set, pods, updateRevision);
    }
    // Scale down from the highest ordinal, one at a time unless Parallel.
    const extra = [...pods.keys()].filter((o) => o >= replicas).sort((a, b) => b - a);
    for (const ord of extra) {
      const p = pods.get(ord)!;
      if (!p.metadata?.deletionTimestamp) await this.deletePod(set, p);
      if (!parallel) return this.writeStatus(set, pods, updateRevision);
    }
    // Rolling update in reverse ordinal order, down to partition.
    if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      for (let ord = replicas - 1; ord >= partition; ord--) {
        const p = pods.get(ord);
        if (!p) continue;
        if (p.metadata?.labels?.[REVISION_LABEL] !== updateRevision) {
          if (!p.metadata?.deletionTimestamp) await this.deletePod(set, p);
          break;
        }
        if (!isPodReady(p)) break;
      }
    }
    await this.writeStatus(set, pods, updateRevision);
  }

  private async ensureRevision(set: StatefulSet, revision: string): Promise<void> {
    const ns = set.metadata!.namespace!;
    const cr: KObject = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: { name: revision, namespace: ns, labels: { ...(set.spec?.selector?.matchLabels ?? {}), [REVISION_LABEL]: revision.slice(set.metadata!.name!.length + 1) }, ownerReferences: [ownerRefFor(set, 'apps/v1', 'StatefulSet')] },
      data: { spec: { template: { ...set.spec?.template, $patch: 'replace' } } },
      revision: set.metadata?.generation ?? 1,
    };
    await this.client.create({ group: 'apps', resource: 'controllerrevisions', namespace: ns }, cr).catch((err) => { if (!isApiError(err, 'AlreadyExists')) throw err; });
  }

  private async createPod(set: StatefulSet, ord: number, revision: string): Promise<void> {
    const name = `${set.metadata!.name}-${ord}`;
    const ns = set.metadata!.namespace!;
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata?.name}-${name}`;
      const pvc: KObject = {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name: claim, namespace: ns, labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) } },
        spec: structuredClone(t.spec ?? {}),
      };
      await this.client.create({ resource: 'persistentvolumeclaims', namespace: ns }, pvc).then(
        () => this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${name} in StatefulSet ${set.metadata!.name} success`),
        (err) => { if (!isApiError(err, 'AlreadyExists')) throw err; });
    }
    const pod = podFromTemplate(set.spec?.template, ns, '', ownerRefFor(set, 'apps/v1', 'StatefulSet'));
    delete pod.metadata!.generateName;
    pod.metadata!.name = name;
    pod.metadata!.labels = { ...pod.metadata!.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ord), [REVISION_LABEL]: revision };
    pod.spec!.hostname = name;
    if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
    const volumes = (pod.spec!.volumes ?? []).filter((v) => !(set.spec?.volumeClaimTemplates ?? []).some((t) => t.metadata?.name === v.name));
    for (const t of set.spec?.volumeClaimTemplates ?? []) volumes.push({ name: t.metadata!.name!, persistentVolumeClaim: { claimName: `${t.metadata?.name}-${name}` } });
    pod.spec!.volumes = volumes;
    try {
      await this.client.create({ resource: 'pods', namespace: ns }, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata!.name} successful`);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) {
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  private async deletePod(set: StatefulSet, p: Pod): Promise<void> {
    await this.client.delete({ resource: 'pods', namespace: p.metadata!.namespace!, name: p.metadata!.name! }).then(
      () => this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${set.metadata!.name} successful`),
      (err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }

  private async writeStatus(set: StatefulSet, pods: Map<number, Pod>, updateRevision: string): Promise<void> {
    const all = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    const updated = all.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === updateRevision);
    const currentRevision = updated.length === all.length ? updateRevision : (set.status?.currentRevision ?? updateRevision);
    const status = {
      ...(set.status ?? {}),
      observedGeneration: set.metadata?.generation,
      replicas: all.length,
      readyReplicas: all.filter(isPodReady).length,
      availableReplicas: all.filter(isPodReady).length,
      currentReplicas: all.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === currentRevision).length,
      updatedReplicas: updated.length,
      currentRevision,
      updateRevision,
    };
    if (JSON.stringify(status) === JSON.stringify(set.status)) return;
    const next = structuredClone(set);
    next.status = status;
    await this.client.updateStatus({ group: 'apps', resource: 'statefulsets', namespace: set.metadata!.namespace! }, next).catch((err) => { if (!isApiError(err, 'NotFound')) throw err; });
  }
}
