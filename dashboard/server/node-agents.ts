/**
 * Where the dashboard reads each node's own view: flanneld's HTTP endpoint (/metrics, /tables)
 * and kube-proxy's healthz address (/connections), both on the node's address. The dashboard
 * (a pod, or `kubesim dashboard` on the host) cannot enter a node's namespace; these read-only
 * endpoints are how it sees the kernel tables and the proxy's counters. Hollow nodes have no
 * such processes (their addresses are made up) and are never asked.
 */
import { FLANNEL_HEALTHZ_PORT } from '../../cli/cluster/components.js';
import type { ClusterHub } from './hub.js';

/** kube-proxy's default --healthz-bind-address port. */
export const KUBE_PROXY_HEALTHZ_PORT = 10256;

/** Ports of the node agents (defaults: flanneld 8471 as `kubesim up` runs it, kube-proxy 10256). */
export interface NodeAgentPorts { flanneld?: number; kubeProxy?: number }

/** Base URLs of each real node's agents. */
export class NodeAgents {
  constructor(private readonly hub: ClusterHub, private readonly ports: NodeAgentPorts = {}, private readonly flannelMetrics?: () => Record<string, string>) {}

  /** Node name → address, for the real (non-hollow) nodes with an InternalIP. */
  nodeIPs(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.hub.snapshot()) if (n.kind === 'Node' && !n.hollow && n.ip) out[n.name] = String(n.ip);
    return out;
  }

  /** Node name → flanneld base URL (the caller's /metrics URLs when it gave them: same server). */
  flanneld(): Record<string, string> {
    if (this.flannelMetrics) return Object.fromEntries(Object.entries(this.flannelMetrics()).map(([n, u]) => [n, u.replace(/\/metrics$/, '')]));
    return this.urls(this.ports.flanneld ?? FLANNEL_HEALTHZ_PORT, '');
  }

  /** Node name → kube-proxy /connections URL. */
  kubeProxyConnections(): Record<string, string> { return this.urls(this.ports.kubeProxy ?? KUBE_PROXY_HEALTHZ_PORT, '/connections'); }

  private urls(port: number, path: string): Record<string, string> {
    return Object.fromEntries(Object.entries(this.nodeIPs()).map(([n, ip]) => [n, `http://${ip}:${port}${path}`]));
  }
}
