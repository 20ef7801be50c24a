/**
 * Where the HPA gets pod CPU usage: the apiserver's metrics.k8s.io PodMetrics (as the real HPA
 * reads the resource metrics API), over our gRPC client with the HPA controller's identity (its ServiceAccount with --use-service-account-credentials).
 * The apiserver computes them from the kubelets' `/stats/summary` (what metrics-server scrapes);
 * the helpers that turn two cumulative CPU samples into millicores live here and serve it too.
 */
import type { Pod } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { keyOf } from '../../lib/client/indexer.js';
import { tryParseQuantity } from '../../lib/api/quantity.js';

/** Pod CPU usage in millicores by `namespace/name`; pods without a sample yet are absent. */
export interface MetricsSource {
  podCpuMilli(pods: Pod[], signal?: AbortSignal): Promise<Map<string, number>>;
}

/** One cumulative CPU sample of a pod (sum over its containers). */
export interface CpuSample { timeMs: number; usageNanoSeconds: number }

/** Millicores used between two samples; undefined when they cannot make a rate. */
export function cpuRateMilli(prev: CpuSample | undefined, cur: CpuSample): number | undefined {
  if (!prev || cur.timeMs <= prev.timeMs || cur.usageNanoSeconds < prev.usageNanoSeconds) return undefined;
  return ((cur.usageNanoSeconds - prev.usageNanoSeconds) / ((cur.timeMs - prev.timeMs) * 1e6)) * 1000;
}

interface PodMetrics { metadata?: { name?: string; namespace?: string }; containers?: Array<{ usage?: { cpu?: string } }> }

/** Millicores a PodMetrics reports, summed over its containers (undefined when none parses). */
export function podMetricsCpuMilli(m: PodMetrics): number | undefined {
  let total: number | undefined;
  for (const c of m.containers ?? []) {
    const q = tryParseQuantity(c.usage?.cpu);
    if (q) total = (total ?? 0) + q.milli;
  }
  return total;
}

/** Reads PodMetrics from the apiserver's metrics.k8s.io/v1beta1, one list per namespace. */
export class MetricsApiSource implements MetricsSource {
  constructor(private readonly client: ApiClient) {}

  /** CPU usage of the given pods. */
  async podCpuMilli(pods: Pod[], signal?: AbortSignal): Promise<Map<string, number>> {
    const wanted = new Set(pods.map((p) => keyOf(p)));
    const namespaces = new Set(pods.map((p) => p.metadata?.namespace ?? 'default'));
    const out = new Map<string, number>();
    for (const namespace of namespaces) {
      const list = await this.client.list({ group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespace }, { signal });
      for (const m of list.items) {
        const key = `${namespace}/${m.metadata?.name}`;
        const milli = podMetricsCpuMilli(m as PodMetrics);
        if (wanted.has(key) && milli !== undefined) out.set(key, milli);
      }
    }
    return out;
  }
}
