/**
 * From an ingress BackendRef to the ready endpoint addresses to proxy to, read from the Service
 * and Endpoints caches: the backend's port (number or name) picks the Service port, whose name
 * picks the Endpoints port (the only one when the Service port has no name). Outcomes are data,
 * so the proxy can answer 503 with a reason a person can act on.
 */
import type { Endpoints, Service } from '../lib/api/types.js';
import type { BackendRef } from './route-table.js';

/** Where a backend's traffic can go, or why it cannot. */
export type ResolvedBackend =
  | { ok: true; targets: Array<{ ip: string; port: number }> }
  | { ok: false; reason: string };

/** Read access to the caches (informer listers satisfy it). */
export interface BackendCaches {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
}

/** Ready ip:port targets of a backend, or the reason there are none. */
export function resolveBackend(ref: BackendRef, caches: BackendCaches): ResolvedBackend {
  const id = `${ref.namespace}/${ref.service}`;
  const svc = caches.service(ref.namespace, ref.service);
  if (!svc) return { ok: false, reason: `service "${id}" not found` };
  const ports = svc.spec?.ports ?? [];
  const sp = typeof ref.port === 'number' ? ports.find((p) => p.port === ref.port) : ports.find((p) => p.name === ref.port);
  if (!sp) return { ok: false, reason: `service "${id}" has no port ${JSON.stringify(ref.port)}` };
  const targets: Array<{ ip: string; port: number }> = [];
  for (const subset of caches.endpoints(ref.namespace, ref.service)?.subsets ?? []) {
    const eps = subset.ports ?? [];
    const ep = sp.name ? eps.find((p) => p.name === sp.name) : (eps.length === 1 ? eps[0] : eps.find((p) => !p.name));
    if (!ep?.port || (ep.protocol && ep.protocol !== 'TCP')) continue;
    for (const a of subset.addresses ?? []) if (a.ip) targets.push({ ip: a.ip, port: ep.port });
  }
  if (!targets.length) return { ok: false, reason: `no ready endpoints for service "${id}" port ${JSON.stringify(ref.port)}` };
  return { ok: true, targets };
}
