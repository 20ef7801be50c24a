/**
 * The ready endpoints of each service port, extracted from an Endpoints object, and the choice of
 * which of them a given kind of traffic may use (traffic policies). Pure data, no I/O.
 */
import type { Endpoints } from '../lib/api/types.js';
import { servicePortKey, type ServicePortInfo } from './service-port.js';

/** One backend of one service port. */
export interface EndpointInfo {
  ip: string;
  /** The resolved target port (named targetPorts are resolved per pod by the endpoints controller). */
  port: number;
  nodeName?: string;
}

/** `ip:port` of an endpoint. */
export function endpointString(e: EndpointInfo): string { return `${e.ip}:${e.port}`; }

/**
 * Ready endpoints per service port key. Only `addresses` count: `notReadyAddresses` never get
 * traffic. Subsets with different resolved ports for the same port name all contribute.
 */
export function endpointsOf(ep: Endpoints): Map<string, EndpointInfo[]> {
  const out = new Map<string, EndpointInfo[]>();
  const namespace = ep.metadata?.namespace ?? 'default';
  const name = ep.metadata?.name ?? '';
  for (const subset of ep.subsets ?? []) {
    for (const p of subset.ports ?? []) {
      if (!p.port) continue;
      const key = servicePortKey(namespace, name, p.name ?? '', (p.protocol ?? 'TCP').toUpperCase());
      const list = out.get(key) ?? [];
      for (const a of subset.addresses ?? []) {
        if (a.ip) list.push({ ip: a.ip, port: p.port, nodeName: a.nodeName });
      }
      if (list.length) out.set(key, list);
    }
  }
  // A stable order makes equal states compare equal and round robin deterministic.
  for (const list of out.values()) list.sort((a, b) => endpointString(a).localeCompare(endpointString(b)));
  return out;
}

/** True when two endpoint lists are the same. */
export function sameEndpoints(a: EndpointInfo[] | undefined, b: EndpointInfo[] | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  return a.every((e, i) => e.ip === b[i].ip && e.port === b[i].port && e.nodeName === b[i].nodeName);
}

/** Which door traffic came in by: the ClusterIP (internal) or a NodePort / external / LB IP (external). */
export type TrafficKind = 'internal' | 'external';

/**
 * The endpoints this node may send `kind` traffic to: with the matching traffic policy set to
 * Local, only endpoints on `nodeName` (none there = the traffic is dropped, as Kubernetes does).
 */
export function usableEndpoints(svc: ServicePortInfo, all: EndpointInfo[], kind: TrafficKind, nodeName: string): EndpointInfo[] {
  const local = kind === 'external' ? svc.externalLocal : svc.internalLocal;
  return local ? all.filter((e) => e.nodeName === nodeName) : all;
}
