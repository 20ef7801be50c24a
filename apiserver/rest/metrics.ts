/**
 * Prometheus metrics of the REST facade, named as kube-apiserver's: request counts and latency
 * by verb, resource and code. One prom-client Registry per server (tests run several).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestObserver } from './handler.js';

/** A metrics registry plus the observer that feeds it. */
export interface RestMetrics {
  observe: RequestObserver;
  metrics(): Promise<{ contentType: string; body: string }>;
  registry: Registry;
}

/** Creates the apiserver's request metrics (and Node process metrics). */
export function createRestMetrics(): RestMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const total = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.', labelNames: ['verb', 'resource', 'code'], registers: [registry] });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb and resource (watches excluded).',
    labelNames: ['verb', 'resource'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
  });
  return {
    registry,
    observe: (r) => {
      total.inc({ verb: r.verb, resource: r.resource, code: String(r.code) });
      if (r.verb !== 'watch') duration.observe({ verb: r.verb, resource: r.resource }, r.seconds);
    },
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
