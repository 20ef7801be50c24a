/**
 * Where the HPA gets pod CPU usage. The apiserver does not serve metrics.k8s.io yet, so the
 * source is the kubelets' own `/stats/summary` (what metrics-server scrapes): cumulative CPU
 * nanoseconds per container, turned into a rate (millicores) between two scrapes. Nodes are
 * reached at their InternalIP (or first address) and status.daemonEndpoints.kubeletEndpoint.
 */
import type { Node, Pod } from '../../lib/api/types.js';
import type { SharedInformer } from '../../lib/client/informer.js';
import { keyOf } from '../../lib/client/indexer.js';
import { clientLog } from '../../lib/client/log.js';
import { sleep } from '../../lib/client/backoff.js';

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

interface SummaryPod { podRef?: { name?: string; namespace?: string; uid?: string }; containers?: Array<{ cpu?: { time?: string; usageCoreNanoSeconds?: number } }> }

/** Per-pod samples (by uid) out of a kubelet Summary. */
export function samplesFromSummary(summary: { pods?: SummaryPod[] }): Map<string, CpuSample> {
  const out = new Map<string, CpuSample>();
  for (const p of summary.pods ?? []) {
    const uid = p.podRef?.uid;
    if (!uid) continue;
    let usage = 0;
    let time = 0;
    for (const c of p.containers ?? []) {
      usage += c.cpu?.usageCoreNanoSeconds ?? 0;
      time = Math.max(time, Date.parse(c.cpu?.time ?? '') || 0);
    }
    if (time) out.set(uid, { timeMs: time, usageNanoSeconds: usage });
  }
  return out;
}

/** Reads the kubelets' /stats/summary; rates come from the previous scrape (or one taken `firstGapMs` later). */
export class KubeletStatsSource implements MetricsSource {
  private readonly last = new Map<string, CpuSample>();

  constructor(private readonly nodes: SharedInformer<Node>, private readonly firstGapMs = 1000) {}

  /** CPU usage of the given pods. */
  async podCpuMilli(pods: Pod[], signal?: AbortSignal): Promise<Map<string, number>> {
    let samples = await this.scrape(pods, signal);
    if ([...samples.keys()].some((uid) => !this.last.has(uid))) {
      this.remember(samples);
      await sleep(this.firstGapMs, signal);
      samples = await this.scrape(pods, signal);
    }
    const out = new Map<string, number>();
    for (const p of pods) {
      const cur = samples.get(p.metadata?.uid ?? '');
      if (!cur) continue;
      const rate = cpuRateMilli(this.last.get(p.metadata!.uid!), cur);
      if (rate !== undefined) out.set(keyOf(p), rate);
    }
    this.remember(samples);
    return out;
  }

  private remember(samples: Map<string, CpuSample>): void {
    for (const [uid, s] of samples) this.last.set(uid, s);
    if (this.last.size > 50_000) this.last.clear(); // gone pods: forget them wholesale rather than leak
  }

  private async scrape(pods: Pod[], signal?: AbortSignal): Promise<Map<string, CpuSample>> {
    const nodes = new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n));
    const out = new Map<string, CpuSample>();
    await Promise.all([...nodes].map(async (name) => {
      const url = this.summaryURL(name);
      if (!url) return;
      try {
        const res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(5000), ...(signal ? [signal] : [])]) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        for (const [uid, s] of samplesFromSummary(await res.json() as { pods?: SummaryPod[] })) out.set(uid, s);
      } catch (err) {
        clientLog('warn', 'could not read kubelet stats', { node: name, error: (err as Error).message });
      }
    }));
    return out;
  }

  private summaryURL(name: string): string | undefined {
    const node = this.nodes.lister.get(undefined, name);
    const addrs = node?.status?.addresses ?? [];
    const ip = (addrs.find((a) => a.type === 'InternalIP') ?? addrs[0])?.address;
    const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
    if (!ip) return undefined;
    return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}/stats/summary`;
  }
}
