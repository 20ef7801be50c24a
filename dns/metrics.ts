/** Prometheus metrics of the DNS server, read from its counters at scrape time (no per-query metric work). */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ClusterStore } from './cluster-store.js';
import type { DnsServer } from './server.js';

/** A registry exposing the server's request/response counters and the store's size. */
export function dnsMetrics(server: DnsServer, store: ClusterStore): Registry {
  const registry = new Registry();
  const c = server.counters;
  new Counter({ name: 'kubesim_dns_requests_total', help: 'DNS requests received', registers: [registry], collect() { this.reset(); this.inc(c.requests); } });
  new Counter({ name: 'kubesim_dns_responses_total', help: 'DNS responses by rcode', labelNames: ['rcode'], registers: [registry], collect() {
    this.reset();
    for (const [rcode, n] of Object.entries(c.responses)) this.inc({ rcode }, n);
  } });
  new Counter({ name: 'kubesim_dns_truncated_total', help: 'UDP responses sent truncated', registers: [registry], collect() { this.reset(); this.inc(c.truncated); } });
  new Counter({ name: 'kubesim_dns_forwarded_total', help: 'Questions forwarded upstream', registers: [registry], collect() { this.reset(); this.inc(c.forwarded); } });
  new Counter({ name: 'kubesim_dns_cache_hits_total', help: 'Answers served from the encoded-answer cache', registers: [registry], collect() { this.reset(); this.inc(c.cacheHits); } });
  new Gauge({ name: 'kubesim_dns_services', help: 'Services known', registers: [registry], collect() { this.set(store.services.size); } });
  return registry;
}
