/**
 * The proxier's view of one service port (`ns/name:portName/PROTO`): the addresses it is reachable
 * on and how traffic to it is balanced, extracted from a Service object. Pure data, no I/O.
 */
import { isIPv4 } from 'node:net';
import type { Service } from '../lib/api/types.js';

/** Transport protocols the userspace proxier forwards. */
export type Protocol = 'TCP' | 'UDP';

/** Everything the proxier needs about one port of one Service. */
export interface ServicePortInfo {
  /** `ns/name:portName/PROTO`; the same key names the matching endpoints. */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  /** The ClusterIP (absent for headless and ExternalName services: nothing to proxy there). */
  clusterIP?: string;
  port: number;
  /** NodePort, 0 when none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  affinitySeconds: number;
  /** externalTrafficPolicy: Local (NodePort / external / LB traffic only to endpoints on this node). */
  externalLocal: boolean;
  /** internalTrafficPolicy: Local (ClusterIP traffic only to endpoints on this node). */
  internalLocal: boolean;
  /** LoadBalancer + externalTrafficPolicy Local: the port where this node reports its local endpoints; 0 = none. */
  healthCheckNodePort: number;
}

/** The key of a service port, shared with endpoints: `ns/name:portName/PROTO`. */
export function servicePortKey(namespace: string, name: string, portName: string, protocol: string): string {
  return `${namespace}/${name}:${portName}/${protocol}`;
}

/** Kubernetes' default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

/** The proxied ports of a Service keyed by servicePortKey (empty for headless, ExternalName or SCTP-only). */
export function servicePortsOf(svc: Service): Map<string, ServicePortInfo> {
  const out = new Map<string, ServicePortInfo>();
  const spec = svc.spec ?? {};
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  if (spec.type === 'ExternalName') return out;
  // A headless service has no virtual address; NodePort on headless is invalid in Kubernetes.
  // Addresses that are not IPv4 literals are skipped: listening on a name would resolve it.
  const clusterIP = spec.clusterIP && isIPv4(spec.clusterIP) ? spec.clusterIP : undefined;
  if (!clusterIP) return out;
  const affinity = spec.sessionAffinity === 'ClientIP'
    ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : 0;
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && isIPv4(ip));
  const exposesNode = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  for (const p of spec.ports ?? []) {
    const protocol = (p.protocol ?? 'TCP').toUpperCase();
    if (protocol !== 'TCP' && protocol !== 'UDP') continue;
    if (!p.port) continue;
    const portName = p.name ?? '';
    const key = servicePortKey(namespace, name, portName, protocol);
    out.set(key, {
      key, namespace, name, portName, protocol, clusterIP, port: p.port,
      nodePort: exposesNode ? (p.nodePort ?? 0) : 0,
      externalIPs: (spec.externalIPs ?? []).filter((ip) => isIPv4(ip)),
      loadBalancerIPs: spec.type === 'LoadBalancer' ? lbIPs : [],
      affinitySeconds: affinity,
      externalLocal: spec.externalTrafficPolicy === 'Local',
      internalLocal: spec.internalTrafficPolicy === 'Local',
      healthCheckNodePort: spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' ? (spec.healthCheckNodePort ?? 0) : 0,
    });
  }
  return out;
}

/** True when two service ports would be proxied identically. */
export function samePort(a: ServicePortInfo | undefined, b: ServicePortInfo | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
