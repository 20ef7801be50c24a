/**
 * The ingress route table: pure logic from the Ingresses this controller serves to "which Service
 * port answers host H, path P". Per host, the longest matching Exact path wins, then the longest
 * matching Prefix path (Prefix matches whole path elements: /a matches /a and /a/b, not /ab).
 * Hosts are tried exactly, then as a `*.example.com` wildcard (one label), then rules without a
 * host; when nothing matches, the default backend (the oldest Ingress's spec.defaultBackend).
 * When two Ingresses claim the same host and path, the older one wins, as ingress-nginx does.
 */
import type { Ingress, IngressBackend } from '../lib/api/types.js';

/** A Service port an ingress path sends to. */
export interface BackendRef {
  namespace: string;
  service: string;
  /** The Service's port number or port name. */
  port: number | string;
  /** The Ingress this route comes from (ns/name), for logs and headers. */
  ingress: string;
}

/** The outcome of a lookup: the backend, and which rule matched (for logs and tests). */
export interface RouteMatch {
  backend: BackendRef;
  /** e.g. `foo.example.com/a (Prefix)` or `default backend`. */
  rule: string;
}

interface PathRoute { path: string; exact: boolean; backend: BackendRef }

/** Routes grouped by host; build with RouteTable.build and query with match(). */
export class RouteTable {
  private constructor(
    private readonly hosts: Map<string, PathRoute[]>,
    private readonly defaultBackend: BackendRef | undefined,
  ) {}

  /** Builds the table from the Ingresses to serve (any order: they are sorted oldest first). */
  static build(ingresses: readonly Ingress[]): RouteTable {
    const hosts = new Map<string, PathRoute[]>();
    let defaultBackend: BackendRef | undefined;
    for (const ing of [...ingresses].sort(olderFirst)) {
      const namespace = ing.metadata?.namespace ?? 'default';
      const ingress = `${namespace}/${ing.metadata?.name ?? ''}`;
      const def = ing.spec?.defaultBackend && toRef(ing.spec.defaultBackend, namespace, ingress);
      if (def && !defaultBackend) defaultBackend = def;
      for (const rule of ing.spec?.rules ?? []) {
        const host = (rule.host ?? '').toLowerCase();
        const routes = hosts.get(host) ?? [];
        for (const p of rule.http?.paths ?? []) {
          const backend = p.backend && toRef(p.backend, namespace, ingress);
          if (!backend) continue;
          const exact = p.pathType === 'Exact';
          const path = exact ? (p.path || '/') : trimSlash(p.path || '/');
          // The older Ingress keeps a host+path+type both claim.
          if (routes.some((r) => r.path === path && r.exact === exact)) continue;
          routes.push({ path, exact, backend });
        }
        hosts.set(host, routes);
      }
    }
    for (const routes of hosts.values()) routes.sort((a, b) => Number(b.exact) - Number(a.exact) || b.path.length - a.path.length);
    return new RouteTable(hosts, defaultBackend);
  }

  /** The backend for a request's Host header (port ignored) and URL path (query ignored). */
  match(hostHeader: string | undefined, urlPath: string): RouteMatch | undefined {
    const host = stripPort(hostHeader ?? '').toLowerCase();
    const path = (urlPath.split('?')[0] || '/');
    const dot = host.indexOf('.');
    const candidates = [host, dot > 0 ? `*${host.slice(dot)}` : undefined, ''];
    for (const h of candidates) {
      if (h === undefined) continue;
      const routes = this.hosts.get(h);
      const hit = routes?.find((r) => (r.exact ? r.path === path : prefixMatches(r.path, path)));
      if (hit) return { backend: hit.backend, rule: `${h || '*'}${hit.path} (${hit.exact ? 'Exact' : 'Prefix'})` };
    }
    return this.defaultBackend ? { backend: this.defaultBackend, rule: 'default backend' } : undefined;
  }

  /** Every Service the table refers to, as ns/name (to know which Endpoints matter). */
  services(): Set<string> {
    const out = new Set<string>();
    const add = (b: BackendRef) => out.add(`${b.namespace}/${b.service}`);
    for (const routes of this.hosts.values()) for (const r of routes) add(r.backend);
    if (this.defaultBackend) add(this.defaultBackend);
    return out;
  }

  /** Number of host+path routes (for logs). */
  size(): number {
    let n = 0;
    for (const routes of this.hosts.values()) n += routes.length;
    return n;
  }
}

function toRef(b: IngressBackend, namespace: string, ingress: string): BackendRef | undefined {
  const svc = b.service;
  if (!svc?.name) return undefined; // resource backends are not served by this controller
  const port = svc.port?.number ?? svc.port?.name;
  if (port === undefined || port === '' || port === 0) return undefined;
  return { namespace, service: svc.name, port, ingress };
}

function olderFirst(a: Ingress, b: Ingress): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function trimSlash(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

/** Element-wise prefix match ("/" matches everything; a trailing slash on the request is ignored). */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path[prefix.length] === '/';
}

/** The host of a Host header without its port (IPv6 literals keep their brackets). */
export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.indexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}
