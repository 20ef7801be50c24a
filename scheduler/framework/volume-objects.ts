/**
 * The storage objects VolumeBinding reads, kept by the scheduler's informers: claims by
 * `namespace/name`, volumes and storage classes by name. Narrow JSON shapes, as for pods.
 */
import type { KObject } from '../../lib/api/object.js';
import type { NodeSelectorTerm } from './types.js';

/** A PersistentVolumeClaim as the scheduler reads it. */
export interface Claim extends KObject { spec?: { storageClassName?: string | null; volumeName?: string }; status?: { phase?: string } }
/** A PersistentVolume as the scheduler reads it. */
export interface Volume extends KObject { spec?: { nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } }
/** A StorageClass as the scheduler reads it. */
export interface Class extends KObject { volumeBindingMode?: string }

const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** Claims, volumes and classes, updated from informer events. */
export class VolumeObjects {
  readonly claims = new Map<string, Claim>();
  readonly volumes = new Map<string, Volume>();
  readonly classes = new Map<string, Class>();

  /** The claim `namespace/name`, if known. */
  claim(namespace: string, name: string): Claim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  /** The class a claim uses: its own, else the default class (an explicit "" means none). */
  classOf(claim: Claim): string {
    const own = claim.spec?.storageClassName;
    if (own !== undefined && own !== null) return own;
    for (const [name, c] of this.classes) if (c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') return name;
    return '';
  }

  /** True when binding of this unbound claim waits for the pod's node (WaitForFirstConsumer). */
  delayedBinding(claim: Claim): boolean {
    return this.classes.get(this.classOf(claim))?.volumeBindingMode === 'WaitForFirstConsumer';
  }
}
