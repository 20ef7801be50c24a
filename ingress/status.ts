/**
 * status.loadBalancer of the Ingresses this controller serves: the addresses of its published
 * Service (its LoadBalancer ingress IPs/hostnames), else the InternalIPs of the Ready nodes —
 * where a client can reach the controller's NodePort. Written only when it differs.
 */
import type { Ingress, LoadBalancerIngress, Node, Service } from '../lib/api/types.js';
import type { ApiClient } from '../lib/client/api-client.js';
import { R } from '../lib/client/resources.js';
import { isApiError } from '../lib/errors.js';
import { log } from './log.js';

/** The addresses to publish, sorted (so comparisons are stable). */
export function publishedAddresses(publishService: Service | undefined, nodes: readonly Node[]): LoadBalancerIngress[] {
  const lb = (publishService?.status?.loadBalancer?.ingress ?? [])
    .filter((i) => i.ip || i.hostname)
    .map((i): LoadBalancerIngress => (i.ip ? { ip: i.ip } : { hostname: i.hostname }));
  if (lb.length) return sortAddrs(lb);
  const ips = new Set<string>();
  for (const n of nodes) {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True') continue;
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && a.address) ips.add(a.address);
  }
  return sortAddrs([...ips].map((ip) => ({ ip })));
}

function sortAddrs(a: LoadBalancerIngress[]): LoadBalancerIngress[] {
  const k = (x: LoadBalancerIngress) => x.ip ?? x.hostname ?? '';
  return a.sort((x, y) => (k(x) < k(y) ? -1 : k(x) > k(y) ? 1 : 0));
}

function same(a: LoadBalancerIngress[] | undefined, b: LoadBalancerIngress[]): boolean {
  const norm = (l: LoadBalancerIngress[]) => JSON.stringify(l.map((x) => [x.ip ?? '', x.hostname ?? '']));
  return norm(sortAddrs([...(a ?? [])])) === norm(b);
}

/** Writes status.loadBalancer.ingress = addrs on the Ingress when it differs; true when written. */
export async function writeIngressStatus(client: ApiClient, ing: Ingress, addrs: LoadBalancerIngress[], signal?: AbortSignal): Promise<boolean> {
  if (same(ing.status?.loadBalancer?.ingress, addrs)) return false;
  const ns = ing.metadata?.namespace ?? 'default';
  const name = ing.metadata?.name ?? '';
  const updated: Ingress = structuredClone(ing);
  updated.status = { ...(updated.status ?? {}), loadBalancer: { ingress: addrs } };
  try {
    await client.updateStatus({ ...R.ingresses, namespace: ns, name }, updated, { signal });
  } catch (err) {
    // Gone or changed since the cache saw it: the next sync works from the newer copy.
    if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return false;
    throw err;
  }
  log('info', 'updated ingress status', { ingress: `${ns}/${name}`, addresses: addrs.map((a) => a.ip ?? a.hostname).join(',') });
  return true;
}
