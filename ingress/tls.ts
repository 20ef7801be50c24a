/**
 * TLS termination for Ingresses with spec.tls: each listed host gets the certificate of the
 * kubernetes.io/tls Secret (tls.crt, tls.key; same namespace as the Ingress), chosen per
 * connection by SNI — exact host first, then a `*.example.com` entry. The older Ingress keeps a
 * host both list. Secure contexts are built once per Secret resourceVersion.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Ingress, Secret } from '../lib/api/types.js';
import { log } from './log.js';

/** Which Secret (ns/name) serves each TLS host. */
export type TlsHosts = Map<string, string>;

/** The host → Secret table from the served Ingresses (oldest first wins a host). */
export function tlsHosts(ingresses: readonly Ingress[]): TlsHosts {
  const out: TlsHosts = new Map();
  const sorted = [...ingresses].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
  for (const ing of sorted) {
    const ns = ing.metadata?.namespace ?? 'default';
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts ?? []) if (h && !out.has(h.toLowerCase())) out.set(h.toLowerCase(), `${ns}/${t.secretName}`);
    }
  }
  return out;
}

/** Picks and caches secure contexts for SNI names. */
export class TlsContexts {
  private hosts: TlsHosts = new Map();
  private readonly cache = new Map<string, { rv: string; ctx: SecureContext }>();

  constructor(private readonly secret: (namespace: string, name: string) => Secret | undefined) {}

  /** Replaces the host table (after the served Ingresses changed). */
  setHosts(hosts: TlsHosts): void { this.hosts = hosts; }

  /** The hosts with a TLS entry (for logs and tests). */
  hostNames(): string[] { return [...this.hosts.keys()]; }

  /** The context for an SNI name, or undefined (the handshake then fails: no certificate for that name). */
  contextFor(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const dot = name.indexOf('.');
    const id = this.hosts.get(name) ?? (dot > 0 ? this.hosts.get(`*${name.slice(dot)}`) : undefined);
    if (!id) return undefined;
    const [ns, secretName] = id.split('/');
    const s = this.secret(ns, secretName);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    if (!s || !crt || !key) {
      log('warn', 'TLS secret missing or incomplete', { secret: id, host: name });
      return undefined;
    }
    const rv = s.metadata?.resourceVersion ?? '';
    const hit = this.cache.get(id);
    if (hit && hit.rv === rv) return hit.ctx;
    try {
      const ctx = createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(key, 'base64') });
      this.cache.set(id, { rv, ctx });
      return ctx;
    } catch (err) {
      log('warn', 'TLS secret does not hold a usable certificate and key', { secret: id, error: (err as Error).message });
      return undefined;
    }
  }
}
