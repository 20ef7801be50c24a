/**
 * The cluster state DNS answers from: Services, Endpoints and Pods kept by informer events, with
 * the indexes lookups need (by namespace/name, by ClusterIP, by pod IP). Every change bumps
 * `generation`, so cached answers know when they are stale.
 */
import type { Endpoints, Pod, Service } from '../lib/api/types.js';
import type { KObject } from '../lib/api/object.js';

const keyOf = (o: KObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** Informer handlers writing into one map, with a hook for index upkeep. */
function handlers<T extends KObject>(map: Map<string, T>, bump: () => void, index?: (old: T | undefined, cur: T | undefined) => void) {
  return {
    onAdd: (o: T) => { index?.(map.get(keyOf(o)), o); map.set(keyOf(o), o); bump(); },
    onUpdate: (_old: T, o: T) => { index?.(map.get(keyOf(o)), o); map.set(keyOf(o), o); bump(); },
    onDelete: (o: T) => { index?.(map.get(keyOf(o)), undefined); map.delete(keyOf(o)); bump(); },
  };
}

/** In-memory Services, Endpoints and Pods for the DNS server. */
export class ClusterStore {
  readonly services = new Map<string, Service>();
  readonly endpoints = new Map<string, Endpoints>();
  readonly pods = new Map<string, Pod>();
  /** ClusterIP → service key. */
  readonly byClusterIP = new Map<string, string>();
  /** Pod IP → pod keys (several pods may briefly share an IP). */
  readonly podsByIP = new Map<string, Set<string>>();
  generation = 0;

  private bump = () => { this.generation++; };

  /** Informer handlers for Services. */
  readonly onService = handlers<Service>(this.services, this.bump, (old, cur) => {
    for (const ip of clusterIPs(old)) if (this.byClusterIP.get(ip) === keyOf(old!)) this.byClusterIP.delete(ip);
    for (const ip of clusterIPs(cur)) this.byClusterIP.set(ip, keyOf(cur!));
  });

  /** Informer handlers for Endpoints. */
  readonly onEndpoints = handlers<Endpoints>(this.endpoints, this.bump);

  /** Informer handlers for Pods. */
  readonly onPod = handlers<Pod>(this.pods, this.bump, (old, cur) => {
    const ipOld = old?.status?.podIP;
    if (ipOld) { const s = this.podsByIP.get(ipOld); s?.delete(keyOf(old!)); if (s && !s.size) this.podsByIP.delete(ipOld); }
    const ip = cur?.status?.podIP;
    if (ip && !cur?.spec?.hostNetwork) {
      let s = this.podsByIP.get(ip);
      if (!s) this.podsByIP.set(ip, (s = new Set()));
      s.add(keyOf(cur!));
    }
  });
}

function clusterIPs(svc: Service | undefined): string[] {
  const ips = [svc?.spec?.clusterIP, ...(svc?.spec?.clusterIPs ?? [])];
  return [...new Set(ips.filter((ip): ip is string => !!ip && ip !== 'None'))];
}
