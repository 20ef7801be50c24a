/** kube-proxy's Prometheus metrics: per service port connections, bytes and errors, and sync timing. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Pre-bound metric children of one service port (label lookups cost more than the increments). */
export interface PortMetrics {
  connections: { inc(n?: number): void };
  active: { inc(n?: number): void; dec(n?: number): void };
  bytesIn: { inc(n?: number): void };
  bytesOut: { inc(n?: number): void };
  connectErrors: { inc(n?: number): void };
  rejected: { inc(n?: number): void };
}

/** Connection counters of one service port (the JSON of /connections). */
export interface PortConnections { active: number; total: number; bytesIn: number; bytesOut: number; rejected: number }

/** The metrics one proxier updates. */
export class ProxyMetrics {
  readonly registry = new Registry();
  /** Counter sources outside JavaScript (native listeners): each adds its news when the metrics are read. */
  readonly sources = new Set<() => void>();
  // Registered first: reading the registry (or connectionStats) collects the sources before any value.
  readonly activeConnections = new Gauge({ name: 'kubeproxy_active_connections', help: 'Open proxied TCP connections / UDP flows', labelNames: ['service_port', 'protocol'], registers: [this.registry], collect: () => { for (const s of this.sources) s(); } });
  readonly connections = new Counter({ name: 'kubeproxy_connections_total', help: 'Proxied TCP connections / UDP flows opened', labelNames: ['service_port', 'protocol'], registers: [this.registry] });
  readonly bytes = new Counter({ name: 'kubeproxy_bytes_total', help: 'Bytes proxied (in = client to endpoint, out = endpoint to client)', labelNames: ['service_port', 'direction'], registers: [this.registry] });
  readonly connectErrors = new Counter({ name: 'kubeproxy_connect_errors_total', help: 'Failed connects to an endpoint (the next one is tried)', labelNames: ['service_port'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'kubeproxy_rejected_connections_total', help: 'Connections rejected because no endpoint could take them', labelNames: ['service_port'], registers: [this.registry] });
  readonly syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'Time of one sync of changed service ports', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  readonly servicePorts = new Gauge({ name: 'kubeproxy_service_ports', help: 'Service ports being proxied', registers: [this.registry] });

  /**
   * Per service port (`ns/name:port/PROTO`): open and opened connections (UDP: flows), bytes
   * (TCP: of closed connections) and rejections — read from the same counters as /metrics.
   */
  async connectionStats(): Promise<Record<string, PortConnections>> {
    const out: Record<string, PortConnections> = {};
    const at = (key: unknown) => (out[String(key)] ??= { active: 0, total: 0, bytesIn: 0, bytesOut: 0, rejected: 0 });
    for (const v of (await this.activeConnections.get()).values) at(v.labels.service_port).active += v.value;
    for (const v of (await this.connections.get()).values) at(v.labels.service_port).total += v.value;
    for (const v of (await this.rejected.get()).values) at(v.labels.service_port).rejected += v.value;
    for (const v of (await this.bytes.get()).values) at(v.labels.service_port)[v.labels.direction === 'out' ? 'bytesOut' : 'bytesIn'] += v.value;
    return out;
  }

  /** The metric children of one service port and protocol. */
  forPort(key: string, protocol: string): PortMetrics {
    return {
      connections: this.connections.labels(key, protocol),
      active: this.activeConnections.labels(key, protocol),
      bytesIn: this.bytes.labels(key, 'in'),
      bytesOut: this.bytes.labels(key, 'out'),
      connectErrors: this.connectErrors.labels(key),
      rejected: this.rejected.labels(key),
    };
  }
}
