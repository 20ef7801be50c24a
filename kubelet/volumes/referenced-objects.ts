/**
 * The kubelet's watch-based object manager (Kubernetes' pkg/kubelet/util/manager): instead of
 * listing every Secret, ConfigMap, PersistentVolumeClaim and PersistentVolume of the cluster, the
 * kubelet reads and watches only the ones its pods reference, one named object each — all the
 * Node authorizer lets a kubelet see. `register(pod)` starts what a pod needs and waits until each
 * has been read once; lookups are then synchronous; objects no pod of the node references any
 * more are dropped by `sweep()`. Changes are reported so pods using them resync.
 */
import type { KObject } from '../../lib/api/object.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { podRefs } from '../../lib/api/pod-refs.js';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret } from '../../lib/api/types.js';

type Kind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'persistentvolumes';

interface Entry { kind: Kind; namespace?: string; name: string; obj?: KObject; loaded: Promise<void>; stop: AbortController }

const keyOf = (kind: Kind, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

/** Per-object reads and watches of what the node's pods reference. */
export class ReferencedObjects {
  private readonly entries = new Map<string, Entry>();

  /** `onChange` is told about every change after the first read (resync the pods of that namespace). */
  constructor(private readonly client: ApiClient, private readonly onChange: (kind: Kind, namespace: string | undefined, name: string) => void = () => {}) {}

  /** Starts following what `pod` references and waits (at most `timeoutMs`) until each object was read once. */
  async register(pod: Pod, timeoutMs = 10_000): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const refs = podRefs(pod);
    const waits = [
      ...refs.secrets.map((n) => this.follow('secrets', ns, n)), ...refs.configMaps.map((n) => this.follow('configmaps', ns, n)),
      ...refs.claims.map((n) => this.follow('persistentvolumeclaims', ns, n)),
    ];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
    // A bound claim's volume is known only once the claim is read.
    const pvWaits = refs.claims.map((c) => this.pvc(ns, c)?.spec?.volumeName).filter((v): v is string => !!v).map((v) => this.follow('persistentvolumes', undefined, v));
    await Promise.race([Promise.all(pvWaits), new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }

  /** Stops following objects none of `pods` references (call with the node's current pods). */
  sweep(pods: Pod[]): void {
    const wanted = new Set<string>();
    for (const p of pods) {
      const ns = p.metadata?.namespace ?? '';
      const r = podRefs(p);
      for (const n of r.secrets) wanted.add(keyOf('secrets', ns, n));
      for (const n of r.configMaps) wanted.add(keyOf('configmaps', ns, n));
      for (const n of r.claims) {
        wanted.add(keyOf('persistentvolumeclaims', ns, n));
        const pv = this.pvc(ns, n)?.spec?.volumeName;
        if (pv) wanted.add(keyOf('persistentvolumes', undefined, pv));
      }
    }
    for (const [k, e] of this.entries) if (!wanted.has(k)) { e.stop.abort(); this.entries.delete(k); }
  }

  /** Stops every watch. */
  close(): void { for (const e of this.entries.values()) e.stop.abort(); this.entries.clear(); }

  configMap(namespace: string, name: string): ConfigMap | undefined { return this.get('configmaps', namespace, name) as ConfigMap | undefined; }
  secret(namespace: string, name: string): Secret | undefined { return this.get('secrets', namespace, name) as Secret | undefined; }
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined { return this.get('persistentvolumeclaims', namespace, name) as PersistentVolumeClaim | undefined; }
  pv(name: string): PersistentVolume | undefined { return this.get('persistentvolumes', undefined, name) as PersistentVolume | undefined; }

  private get(kind: Kind, namespace: string | undefined, name: string): KObject | undefined { return this.entries.get(keyOf(kind, namespace, name))?.obj; }

  private follow(kind: Kind, namespace: string | undefined, name: string): Promise<void> {
    const key = keyOf(kind, namespace, name);
    const existing = this.entries.get(key);
    if (existing) return existing.loaded;
    const stop = new AbortController();
    let markLoaded!: () => void;
    const entry: Entry = { kind, namespace, name, stop, loaded: new Promise<void>((r) => { markLoaded = r; }) };
    this.entries.set(key, entry);
    void this.loop(entry, markLoaded);
    return entry.loaded;
  }

  /** get, then watch from its revision; after any failure, again after a growing delay. */
  private async loop(e: Entry, markLoaded: () => void): Promise<void> {
    const target = { resource: e.kind, namespace: e.namespace, name: e.name };
    let delay = 200;
    let first = true;
    while (!e.stop.signal.aborted) {
      try {
        // A list of the one name (as client-go's per-object reflector) gives the store revision to
        // watch from, which an object's own (possibly compacted) revision would not.
        const list = await this.client.list(target, { fieldSelector: `metadata.name=${e.name}`, signal: e.stop.signal });
        this.set(e, list.items[0], first);
        first = false;
        markLoaded();
        delay = 200;
        const rv = list.metadata?.resourceVersion ?? '0';
        for await (const ev of this.client.watch(target, { resourceVersion: rv, signal: e.stop.signal })) {
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.set(e, ev.object, false);
          else if (ev.type === 'DELETED') this.set(e, undefined, false);
        }
      } catch {
        if (e.stop.signal.aborted) return;
        markLoaded(); // a kubelet without access must not hang its pod: the lookup says "not found"
        first = false; // ...and the pods that saw "not found" resync once a later read succeeds
      }
      if (e.stop.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  private set(e: Entry, obj: KObject | undefined, first: boolean): void {
    const before = e.obj?.metadata?.resourceVersion;
    e.obj = obj;
    if (!first && before !== obj?.metadata?.resourceVersion) this.onChange(e.kind, e.namespace, e.name);
  }
}
