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
import { podRefs, type PodRefs } from '../../lib/api/pod-refs.js';

export { podRefs, type PodRefs };

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
