/**
 * Endpoint choice for one service port: round robin over the ready endpoints, ClientIP session
 * affinity with its timeout, and a candidate order for retries (the chosen endpoint first, then
 * the rest). Endpoint updates replace the lists; connections already made are not touched, so a
 * leaving endpoint drains.
 */
import { endpointString, usableEndpoints, type EndpointInfo, type TrafficKind } from './endpoints.js';
import type { ServicePortInfo } from './service-port.js';
import { ipv4ToUint, native } from './native/index.js';

interface Affinity { endpoint: string; lastUsedMs: number }

/** Balances new connections of one service port over its endpoints. */
export class LoadBalancer {
  private lists: Record<TrafficKind, EndpointInfo[]> = { internal: [], external: [] };
  private next: Record<TrafficKind, number> = { internal: 0, external: 0 };
  private affinity = new Map<string, Affinity>();
  private endpoints: EndpointInfo[] = [];
  /** The native data plane's copy of this balancer (TCP listeners of the native proxy). */
  private nativeBalancer?: number;

  constructor(private info: ServicePortInfo, private readonly nodeName: string, private readonly now: () => number = Date.now) {}

  /** Replaces the service port settings and its ready endpoints. */
  update(info: ServicePortInfo, endpoints: EndpointInfo[]): void {
    if (info.affinitySeconds !== this.info.affinitySeconds) this.affinity.clear();
    this.info = info;
    for (const kind of ['internal', 'external'] as const) {
      this.lists[kind] = usableEndpoints(info, endpoints, kind, this.nodeName);
      if (this.next[kind] >= this.lists[kind].length) this.next[kind] = 0;
    }
    // Affinity to an endpoint that left is forgotten, so the client moves on.
    const live = new Set(endpoints.map(endpointString));
    for (const [ip, a] of this.affinity) if (!live.has(a.endpoint)) this.affinity.delete(ip);
    this.endpoints = endpoints;
    this.pushNative();
  }

  /**
   * The id of this service port's balancer in the native data plane, made on first use and kept
   * in step with update(); the native side keeps its own round robin and affinity (same rules).
   */
  nativeId(): number | undefined {
    if (!native) return undefined;
    if (this.nativeBalancer === undefined) {
      this.nativeBalancer = native.balancer();
      this.pushNative();
    }
    return this.nativeBalancer;
  }

  /** Releases the native balancer (listeners still using it keep it until they are freed). */
  dispose(): void {
    if (this.nativeBalancer !== undefined) native?.freeBalancer(this.nativeBalancer);
    this.nativeBalancer = undefined;
  }

  private pushNative(): void {
    if (this.nativeBalancer === undefined || !native) return;
    const flat = (list: EndpointInfo[]) => {
      const out: number[] = [];
      for (const e of list) {
        const ip = ipv4ToUint(e.ip);
        if (!Number.isNaN(ip)) out.push(ip, e.port);
      }
      return out;
    };
    native.setBalancer(this.nativeBalancer, flat(this.lists.internal), flat(this.lists.external), this.info.affinitySeconds * 1000, flat(this.endpoints));
  }

  /** How many endpoints `kind` traffic can use. */
  size(kind: TrafficKind): number { return this.lists[kind].length; }

  /** Endpoints to try for a new connection from clientIP, best first; empty = reject. */
  candidates(clientIP: string, kind: TrafficKind): EndpointInfo[] {
    const list = this.lists[kind];
    if (!list.length) return [];
    let first = -1;
    if (this.info.affinitySeconds > 0) {
      const a = this.affinity.get(clientIP);
      if (a && this.now() - a.lastUsedMs <= this.info.affinitySeconds * 1000) {
        first = list.findIndex((e) => endpointString(e) === a.endpoint);
      }
    }
    if (first < 0) {
      first = this.next[kind] % list.length;
      this.next[kind] = (first + 1) % list.length;
    }
    const out = new Array<EndpointInfo>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = list[(first + i) % list.length];
    return out;
  }

  /** Records that clientIP was served by `endpoint` (the affinity target when affinity is on). */
  served(clientIP: string, endpoint: EndpointInfo): void {
    if (this.info.affinitySeconds <= 0) return;
    const now = this.now();
    // Expired entries are otherwise only replaced when their client returns: bound the map.
    if (this.affinity.size >= 10_000) {
      for (const [ip, a] of this.affinity) if (now - a.lastUsedMs > this.info.affinitySeconds * 1000) this.affinity.delete(ip);
    }
    this.affinity.set(clientIP, { endpoint: endpointString(endpoint), lastUsedMs: now });
  }
}
