/**
 * The ConfigMaps, Secrets, PersistentVolumeClaims and PersistentVolumes the node's pods name,
 * fetched one by one. The Node authorizer lets a kubelet get a single such object but never list
 * or watch them all (Kubernetes' kubelet likewise gets what its pods reference and keeps a cache):
 * before a pod syncs, every object it names is fetched when not cached yet; refresh() re-gets the
 * cached ones every few seconds and reports the namespaces where one changed, so edits still reach
 * mounted volumes. The pod worker reads the cache synchronously.
 */
import type { ApiClient } from '../lib/client/api-client.js';
import type { KObject } from '../lib/api/object.js';
import type { Pod } from '../lib/api/types.js';
import { isApiError } from '../lib/errors.js';

type Kind = 'configmaps' | 'secrets' | 'persistentvolumeclaims' | 'persistentvolumes';
interface Ref { kind: Kind; namespace?: string; name: string }
interface Entry { obj?: KObject; rv?: string }

const keyOf = (r: Ref) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** Every ConfigMap/Secret/PVC a pod names in volumes (also projected) and in env/envFrom. */
export function podReferences(pod: Pod): Ref[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const refs: Ref[] = [];
  const add = (kind: Kind, name?: string) => { if (name) refs.push({ kind, namespace: ns, name }); };
  for (const v of pod.spec?.volumes ?? []) {
    add('configmaps', v.configMap?.name);
    add('secrets', v.secret?.secretName);
    add('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    for (const s of v.projected?.sources ?? []) { add('configmaps', s.configMap?.name); add('secrets', s.secret?.name); }
  }
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const e of c.env ?? []) { add('configmaps', e.valueFrom?.configMapKeyRef?.name); add('secrets', e.valueFrom?.secretKeyRef?.name); }
    for (const f of c.envFrom ?? []) { add('configmaps', f.configMapRef?.name); add('secrets', f.secretRef?.name); }
  }
  return refs;
}

/** The per-node cache of referenced objects. */
export class ReferencedObjects {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly client: ApiClient) {}

  /** The cached object, or undefined (not found, or not fetched yet). */
  get(kind: Kind, namespace: string | undefined, name: string): KObject | undefined {
    return this.cache.get(keyOf({ kind, namespace, name }))?.obj;
  }

  private async fetch(r: Ref): Promise<Entry> {
    try {
      const obj = await this.client.get({ resource: r.kind, namespace: r.namespace, name: r.name });
      return { obj, rv: obj.metadata?.resourceVersion };
    } catch (err) {
      if (isApiError(err, 'NotFound')) return {};
      throw err;
    }
  }

  /** Fetches `refs` (and the PV behind each claim); `tolerant` keeps the old entry of one that fails. */
  private async expand(refs: Ref[], only: (r: Ref) => boolean, tolerant = false): Promise<void> {
    for (const r of refs) {
      if (!only(r)) continue;
      const e = await this.fetch(r).catch((err: unknown) => { if (tolerant) return undefined; throw err; });
      if (!e) continue;
      this.cache.set(keyOf(r), e);
      const pv = (e.obj as { spec?: { volumeName?: string } } | undefined)?.spec?.volumeName;
      if (r.kind === 'persistentvolumeclaims' && pv) this.cache.set(keyOf({ kind: 'persistentvolumes', name: pv }), await this.fetch({ kind: 'persistentvolumes', name: pv }));
    }
  }

  /** Fetches what `pod` names and is not cached yet. */
  async prefetch(pod: Pod): Promise<void> {
    await this.expand(podReferences(pod), (r) => !this.cache.has(keyOf(r)));
  }

  /**
   * Re-gets everything `pods` name (dropping what no pod names any more); resolves with the
   * namespaces where an object appeared, changed or went away.
   */
  async refresh(pods: Pod[]): Promise<Set<string>> {
    const refs = new Map(pods.flatMap(podReferences).map((r) => [keyOf(r), r]));
    const before = new Map([...this.cache].map(([k, e]) => [k, e.rv]));
    for (const k of [...this.cache.keys()]) if (!k.startsWith('persistentvolumes/') && !refs.has(k)) this.cache.delete(k);
    await this.expand([...refs.values()], () => true, true);
    const changed = new Set<string>();
    for (const [k, r] of refs) if (before.get(k) !== this.cache.get(k)?.rv) changed.add(r.namespace ?? '');
    return changed;
  }
}
