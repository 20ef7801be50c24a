/**
 * What each node's pods reference, for the Node authorizer (a reduced version of Kubernetes'
 * node authorizer graph): per pod its node, ServiceAccount, Secrets (volumes, projected sources,
 * env, envFrom, imagePullSecrets), ConfigMaps (volumes, projected sources, env, envFrom) and
 * PersistentVolumeClaims (including ephemeral volumes' `<pod>-<volume>` claims); per claim its
 * bound PersistentVolume. Kept live from registry mirrors.
 */
import type { KObject } from '../../lib/api/object.js';
import type { Registry } from '../registry/types.js';
import { RegistryMirror } from './registry-mirror.js';

/** The references of one pod. */
export interface PodRefs { namespace: string; node: string; serviceAccount: string; secrets: string[]; configMaps: string[]; claims: string[] }

interface EnvSource { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }
interface EnvFrom { secretRef?: { name?: string }; configMapRef?: { name?: string } }
interface Projection { secret?: { name?: string }; configMap?: { name?: string } }
interface VolumeSpec { name?: string; secret?: { secretName?: string }; configMap?: { name?: string }; projected?: { sources?: Projection[] }; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }
interface PodSpecRefs { nodeName?: string; serviceAccountName?: string; volumes?: VolumeSpec[]; imagePullSecrets?: { name?: string }[]; containers?: { env?: EnvSource[]; envFrom?: EnvFrom[] }[]; initContainers?: { env?: EnvSource[]; envFrom?: EnvFrom[] }[] }

/** The references of a pod object. */
export function podRefs(pod: KObject): PodRefs {
  const spec = (pod.spec ?? {}) as PodSpecRefs;
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  const add = (set: Set<string>, name: string | undefined) => { if (name) set.add(name); };
  for (const v of spec.volumes ?? []) {
    add(secrets, v.secret?.secretName);
    add(configMaps, v.configMap?.name);
    for (const s of v.projected?.sources ?? []) { add(secrets, s.secret?.name); add(configMaps, s.configMap?.name); }
    add(claims, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add(claims, `${pod.metadata?.name}-${v.name}`);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) { add(secrets, e.valueFrom?.secretKeyRef?.name); add(configMaps, e.valueFrom?.configMapKeyRef?.name); }
    for (const e of c.envFrom ?? []) { add(secrets, e.secretRef?.name); add(configMaps, e.configMapRef?.name); }
  }
  for (const s of spec.imagePullSecrets ?? []) add(secrets, s.name);
  return {
    namespace: pod.metadata?.namespace ?? '', node: spec.nodeName ?? '', serviceAccount: spec.serviceAccountName || 'default',
    secrets: [...secrets], configMaps: [...configMaps], claims: [...claims],
  };
}

/** Read access to the graph (tests may build one from plain data). */
export interface NodeRelations {
  /** Pods bound to `node`. */
  podsOn(node: string): PodRefs[];
  /** The PersistentVolume a claim is bound to. */
  volumeOf(namespace: string, claim: string): string | undefined;
}

/** NodeRelations kept live from the registry. */
export class NodeGraph implements NodeRelations {
  private readonly byNode = new Map<string, Map<string, PodRefs>>();
  private readonly pods: RegistryMirror<PodRefs>;
  private readonly claims: RegistryMirror<string | undefined>;

  constructor(registry: Registry) {
    this.pods = new RegistryMirror(registry, { ref: { group: '', version: 'v1', resource: 'pods' }, project: podRefs, onChange: (k, before, after) => this.index(k, before, after) });
    this.claims = new RegistryMirror(registry, { ref: { group: '', version: 'v1', resource: 'persistentvolumeclaims' }, project: (o) => (o.spec as { volumeName?: string } | undefined)?.volumeName });
  }

  /** Loads pods and claims, then follows them until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([this.pods.start(signal), this.claims.start(signal)]);
  }

  podsOn(node: string): PodRefs[] { return [...(this.byNode.get(node)?.values() ?? [])]; }

  volumeOf(namespace: string, claim: string): string | undefined { return this.claims.get(namespace, claim); }

  private index(key: string, before: PodRefs | undefined, after: PodRefs | undefined): void {
    if (before?.node) this.byNode.get(before.node)?.delete(key);
    if (after?.node) {
      let m = this.byNode.get(after.node);
      if (!m) this.byNode.set(after.node, (m = new Map()));
      m.set(key, after);
    }
  }
}
