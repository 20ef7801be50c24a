/** Prometheus metrics of the ingress controller, read from the proxy's counters at scrape time. */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ProxyStats } from './proxy.js';
import type { RouteTable } from './route-table.js';

/** A registry with the proxy's request outcomes and the size of the route table. */
export function ingressMetrics(stats: ProxyStats, table: () => RouteTable): Registry {
  const registry = new Registry();
  new Counter({ name: 'kubesim_ingress_requests_total', help: 'HTTP requests received by the ingress proxy', registers: [registry], collect() { this.reset(); this.inc(stats.requests); } });
  new Counter({ name: 'kubesim_ingress_responses_total', help: 'Requests by outcome', labelNames: ['outcome'], registers: [registry], collect() {
    this.reset();
    this.inc({ outcome: 'proxied' }, stats.proxied);
    this.inc({ outcome: 'no_route' }, stats.noRoute);
    this.inc({ outcome: 'unavailable' }, stats.unavailable);
    this.inc({ outcome: 'bad_gateway' }, stats.badGateway);
  } });
  new Counter({ name: 'kubesim_ingress_retries_total', help: 'Requests moved to another endpoint after a failed connect', registers: [registry], collect() { this.reset(); this.inc(stats.retries); } });
  new Gauge({ name: 'kubesim_ingress_routes', help: 'Host+path routes in the table', registers: [registry], collect() { this.set(table().size()); } });
  return registry;
}
