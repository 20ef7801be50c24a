/** What every proxy listener (TCP or UDP) of a service port is given. */
import type { TrafficKind } from './endpoints.js';
import type { LoadBalancer } from './load-balancer.js';
import type { ProxyMetrics } from './metrics.js';

/** Common settings of a listener: where it binds and whom it asks for endpoints. */
export interface ListenerOptions {
  /** The service port key (metrics, logs). */
  key: string;
  host: string;
  port: number;
  /** internal (ClusterIP) or external (NodePort, external IP, LB IP) traffic. */
  kind: TrafficKind;
  /** The service port's current load balancer (read per connection: it is replaced on updates). */
  lb: () => LoadBalancer | undefined;
  metrics: ProxyMetrics;
}
