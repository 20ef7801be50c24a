/**
 * The kubelet's DNS settings for a pod (Kubernetes' pkg/kubelet/network/dns): dnsPolicy
 * ClusterFirst (cluster DNS + search path + ndots:5), ClusterFirstWithHostNet, Default
 * (the node's resolv.conf), None (only dnsConfig); dnsConfig is merged on top.
 */
import type { DnsSettings } from './runtime/pod-files.js';

/** A DNSConfig with every list present. */
export interface DnsLists { servers: string[]; searches: string[]; options: string[] }

/** The pod spec fields that decide its DNS. */
export interface PodDnsInput {
  namespace: string;
  dnsPolicy?: string;
  hostNetwork?: boolean;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
}

/** Cluster-wide settings (kubelet flags --cluster-dns, --cluster-domain). */
export interface ClusterDns { clusterDns: string[]; clusterDomain: string; nodeResolvConf: string }

function parseResolv(text: string): DnsLists {
  const out = { servers: [] as string[], searches: [] as string[], options: [] as string[] };
  for (const line of text.split('\n')) {
    const [key, ...vals] = line.trim().split(/\s+/);
    if (key === 'nameserver' && vals[0]) out.servers.push(vals[0]);
    else if (key === 'search' || key === 'domain') out.searches = vals;
    else if (key === 'options') out.options.push(...vals);
  }
  return out;
}

function mergeOptions(base: string[], extra: Array<{ name: string; value?: string }>): string[] {
  const byName = new Map(base.map((o) => [o.split(':')[0], o]));
  for (const o of extra) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The CRI DNSConfig for a pod. */
export function podDnsConfig(pod: PodDnsInput, cluster: ClusterDns): DnsLists {
  const policy = pod.dnsPolicy ?? 'ClusterFirst';
  let base: DnsLists;
  const clusterFirst = (policy === 'ClusterFirst' && !pod.hostNetwork) || policy === 'ClusterFirstWithHostNet';
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (clusterFirst && cluster.clusterDns.length) {
    const d = cluster.clusterDomain;
    base = { servers: [...cluster.clusterDns], searches: [`${pod.namespace}.svc.${d}`, `svc.${d}`, d], options: ['ndots:5'] };
  } else base = parseResolv(cluster.nodeResolvConf);
  const extra = pod.dnsConfig ?? {};
  return {
    servers: [...new Set([...base.servers, ...(extra.nameservers ?? [])])].slice(0, 3),
    searches: [...new Set([...base.searches, ...(extra.searches ?? [])])].slice(0, 32),
    options: mergeOptions(base.options, extra.options ?? []),
  };
}
