/**
 * The PersistentVolume controller (Kubernetes' pv_controller): binds claims to volumes, one claim
 * per volume, and provisions volumes for claims of kubesim's StorageClasses. Binding writes the
 * volume first (spec.claimRef, a conditional update: of two claims racing for one volume exactly
 * one update succeeds, the other gets a Conflict and looks again), then the claim (spec.volumeName
 * + bind-completed), then both statuses. When a bound claim goes, the volume's reclaim policy
 * decides: Retain → Released (data kept), Delete → the provisioned directory and volume deleted.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../lib/api/types.js';
import type { ApiClient } from '../../../lib/client/api-client.js';
import type { SharedInformer } from '../../../lib/client/informer.js';
import { keyOf, splitKey } from '../../../lib/client/indexer.js';
import { WorkQueue, runWorkers } from '../../../lib/client/workqueue.js';
import { clientLog } from '../../../lib/client/log.js';
import { isApiError } from '../../../lib/errors.js';
import type { InformerFactory } from '../../../lib/client/informer.js';
import type { Recorder } from '../../recorder.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DEFAULT_CLASS, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass, findMatchingVolume } from './matching.js';
import { canProvision, createVolumeDir, deleteVolumeDir, ensureStorageClasses, provisionedName, volumeFor } from './provisioner.js';

/** Options of the PersistentVolume controller. */
export interface PersistentVolumeOptions {
  /** Where provisioned volumes live (default /var/lib/kubesim/pv). */
  pvRoot?: string;
}

const PVS = { resource: 'persistentvolumes' };
const PVCS = { resource: 'persistentvolumeclaims' };

function ignoreGone(err: unknown): undefined {
  if (isApiError(err, 'NotFound')) return undefined;
  throw err;
}

/** The claims a pod mounts. */
function claimsOf(p: Pod): string[] {
  return (p.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n);
}

/** PersistentVolume binder + provisioner. */
export class PersistentVolumeController {
  readonly claimQueue = new WorkQueue({ name: 'pvc' });
  readonly volumeQueue = new WorkQueue({ name: 'pv' });
  private readonly pvs: SharedInformer<PersistentVolume>;
  private readonly pvcs: SharedInformer<PersistentVolumeClaim>;
  private readonly classes: SharedInformer<StorageClass>;
  private readonly pods: SharedInformer<Pod>;
  private readonly pvRoot: string;

  constructor(informers: InformerFactory, private readonly client: ApiClient, private readonly recorder: Recorder, o: PersistentVolumeOptions = {}) {
    this.pvRoot = o.pvRoot ?? '/var/lib/kubesim/pv';
    this.pvs = informers.informerFor<PersistentVolume>(PVS);
    this.pvcs = informers.informerFor<PersistentVolumeClaim>(PVCS);
    this.classes = informers.informerFor<StorageClass>({ group: 'storage.k8s.io', resource: 'storageclasses' });
    this.pods = informers.informerFor<Pod>({ resource: 'pods' });
    const pvChanged = (pv: PersistentVolume) => {
      this.volumeQueue.add(pv.metadata!.name!);
      const ref = pv.spec?.claimRef;
      if (ref?.name) this.claimQueue.add(`${ref.namespace}/${ref.name}`);
      else this.allClaims(); // a free volume: any pending claim may want it
    };
    this.pvs.addEventHandler({ onAdd: pvChanged, onUpdate: (_o, pv) => pvChanged(pv), onDelete: pvChanged });
    this.pvcs.addEventHandler({
      onAdd: (c) => this.claimQueue.add(keyOf(c)),
      onUpdate: (_o, c) => this.claimQueue.add(keyOf(c)),
      onDelete: (c) => { if (c.spec?.volumeName) this.volumeQueue.add(c.spec.volumeName); },
    });
    this.classes.addEventHandler({ onAdd: () => this.allClaims(), onUpdate: () => this.allClaims() });
    const podChanged = (p: Pod) => { if (p.spec?.nodeName) for (const c of claimsOf(p)) this.claimQueue.add(`${p.metadata!.namespace}/${c}`); };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
  }

  private allClaims(): void {
    for (const c of this.pvcs.lister.list()) if (!c.spec?.volumeName) this.claimQueue.add(keyOf(c));
  }

  /** Creates the built-in StorageClasses, then runs claim and volume workers until signal aborts. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    await ensureStorageClasses(this.client).catch((err) => clientLog('warn', 'could not create the built-in storage classes', { error: (err as Error).message }));
    const log = (key: string, err: unknown) => clientLog('warn', 'persistent volume sync failed', { key, error: (err as Error).message });
    await Promise.all([
      runWorkers(this.claimQueue, workers, (k) => this.syncClaim(k), signal, log),
      runWorkers(this.volumeQueue, workers, (k) => this.syncVolume(k), signal, log),
    ]);
  }

  /** The default StorageClass (newest when several claim it). */
  private defaultClass(): string | undefined {
    const defaults = this.classes.lister.list().filter((c) => c.metadata?.annotations?.[ANN_DEFAULT_CLASS] === 'true');
    defaults.sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
    return defaults[0]?.metadata?.name;
  }

  /** Binds (or provisions for) one claim. */
  async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const claim = this.pvcs.lister.get(namespace, name);
    if (!claim || claim.metadata?.deletionTimestamp) return;
    const cls = claimClass(claim, this.defaultClass());
    const pv = findMatchingVolume(claim, this.pvs.lister.list(), cls);
    if (pv) { await this.bind(pv, claim); return; }
    if (claim.spec?.volumeName) {
      if (claim.status?.phase === 'Bound' && !this.pvs.lister.get(undefined, claim.spec.volumeName)) await this.claimPhase(claim, 'Lost');
      return;
    }
    const sc = cls ? this.classes.lister.get(undefined, cls) : undefined;
    if (!canProvision(sc)) {
      this.recorder.event(claim, 'Normal', 'FailedBinding', cls ? `no persistent volumes available for this claim and storage class "${cls}" has no kubesim provisioner` : 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (this.pvs.lister.get(undefined, provisionedName(claim))) return; // provisioned; binding follows its event
    let node: string | undefined;
    if (sc!.volumeBindingMode === 'WaitForFirstConsumer') {
      node = claim.metadata?.annotations?.[ANN_SELECTED_NODE] ?? this.consumerNode(claim);
      if (!node) {
        this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return;
      }
    }
    await this.provision(claim, sc!, node);
  }

  /** The node of a scheduled pod that mounts the claim (the scheduler's VolumeBinding plugin would have said so). */
  private consumerNode(claim: PersistentVolumeClaim): string | undefined {
    const pods = this.pods.lister.byIndex('namespace', claim.metadata!.namespace!);
    return pods.find((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp && claimsOf(p).includes(claim.metadata!.name!))?.spec?.nodeName;
  }

  private async provision(claim: PersistentVolumeClaim, sc: StorageClass, node: string | undefined): Promise<void> {
    const ref = { resource: 'persistentvolumeclaims', namespace: claim.metadata!.namespace!, name: claim.metadata!.name! };
    const ann: Record<string, string> = { [ANN_STORAGE_PROVISIONER]: sc.provisioner! };
    if (node) ann[ANN_SELECTED_NODE] = node;
    if (Object.entries(ann).some(([k, v]) => claim.metadata?.annotations?.[k] !== v)) {
      await this.client.patch(ref, 'merge', { metadata: { annotations: ann } }).catch(ignoreGone);
    }
    const pv = volumeFor(claim, sc, this.pvRoot, node);
    await createVolumeDir(pv).catch((err) => clientLog('warn', 'could not create volume directory (the kubelet will)', { pv: pv.metadata!.name, error: (err as Error).message }));
    try {
      await this.client.create(PVS, pv);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      return;
    }
    clientLog('info', 'provisioned volume', { pvc: keyOf(claim), pv: pv.metadata!.name, node });
    this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata!.name}`);
  }

  /** Volume first (the conditional update is the lock), then claim, then both statuses. */
  private async bind(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== claim.metadata!.uid) {
      const next = structuredClone(pv);
      next.spec!.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata!.namespace, name: claim.metadata!.name, uid: claim.metadata!.uid, resourceVersion: claim.metadata!.resourceVersion };
      next.metadata!.annotations = { ...(next.metadata!.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      pv = await this.client.update(PVS, next);
    }
    if (pv.status?.phase !== 'Bound') await this.volumePhase(pv, 'Bound');
    let c = claim;
    if (c.spec?.volumeName !== pv.metadata!.name || c.metadata?.annotations?.[ANN_BIND_COMPLETED] !== 'yes') {
      const next = structuredClone(c);
      next.spec = { ...next.spec, volumeName: pv.metadata!.name };
      next.metadata!.annotations = { ...(next.metadata!.annotations ?? {}), [ANN_BIND_COMPLETED]: 'yes', ...(c.spec?.volumeName ? {} : { [ANN_BOUND_BY_CONTROLLER]: 'yes' }) };
      c = await this.client.update({ ...PVCS, namespace: c.metadata!.namespace }, next);
    }
    if (c.status?.phase !== 'Bound') {
      const next = structuredClone(c);
      next.status = { ...next.status, phase: 'Bound', capacity: { ...(pv.spec?.capacity ?? {}) }, accessModes: [...(pv.spec?.accessModes ?? [])] };
      await this.client.updateStatus({ ...PVCS, namespace: c.metadata!.namespace }, next);
      clientLog('info', 'bound claim', { pvc: keyOf(c), pv: pv.metadata!.name });
    }
  }

  private async volumePhase(pv: PersistentVolume, phase: string, message?: string): Promise<void> {
    const next = structuredClone(pv);
    next.status = { ...next.status, phase, ...(message ? { message } : {}) };
    await this.client.updateStatus(PVS, next).catch(ignoreGone);
  }

  private async claimPhase(c: PersistentVolumeClaim, phase: string): Promise<void> {
    const next = structuredClone(c);
    next.status = { ...next.status, phase };
    await this.client.updateStatus({ ...PVCS, namespace: c.metadata!.namespace }, next).catch(ignoreGone);
  }

  /** Keeps one volume's phase right and reclaims it when its claim is gone. */
  async syncVolume(name: string): Promise<void> {
    const pv = this.pvs.lister.get(undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref?.uid) {
      if (pv.status?.phase !== 'Available') await this.volumePhase(pv, 'Available');
      return;
    }
    const cached = this.pvcs.lister.get(ref.namespace, ref.name!);
    // The cache may not have seen a new claim yet: ask the apiserver before reclaiming.
    const claim = cached?.metadata?.uid === ref.uid ? cached
      : await this.client.get<PersistentVolumeClaim>({ ...PVCS, namespace: ref.namespace, name: ref.name! }).catch(ignoreGone);
    if (claim && claim.metadata?.uid === ref.uid) {
      if (claim.spec?.volumeName !== name) this.claimQueue.add(keyOf(claim));
      else if (pv.status?.phase !== 'Bound') await this.volumePhase(pv, 'Bound');
      return;
    }
    await this.reclaim(pv);
  }

  private async reclaim(pv: PersistentVolume): Promise<void> {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    const name = pv.metadata!.name!;
    // Released first: pv-protection lets a volume being deleted go once it is no longer Bound.
    if (policy === 'Retain' || pv.metadata?.deletionTimestamp) {
      if (pv.status?.phase !== 'Released') {
        await this.volumePhase(pv, 'Released');
        clientLog('info', 'volume released', { pv: name });
      }
      return;
    }
    if (policy === 'Delete' && pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) {
      if (pv.status?.phase !== 'Released') await this.volumePhase(pv, 'Released');
      await deleteVolumeDir(pv, this.pvRoot);
      await this.client.delete({ ...PVS, name }, { preconditions: { uid: pv.metadata!.uid } }).catch(ignoreGone);
      clientLog('info', 'deleted provisioned volume', { pv: name });
      return;
    }
    if (pv.status?.phase !== 'Failed') {
      const msg = policy === 'Delete' ? `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched` : `reclaim policy ${policy} is not supported`;
      await this.volumePhase(pv, 'Failed', msg);
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', msg);
    }
  }
}
