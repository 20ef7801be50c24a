/**
 * metrics.k8s.io/v1beta1 (what metrics-server serves; `kubectl top pods|nodes` reads it): PodMetrics
 * and NodeMetrics computed from the kubelets' /stats/summary. CPU is a rate between two cumulative
 * samples (kept from the previous scrape, or taken 1 s apart on the first request); node usage is
 * the sum of its pods (kubesim has no per-node system accounting).
 *
 * One instance serves a registry (REST on both ports and gRPC share it through MetricsApi.for), so
 * the CPU samples that make rates are kept once, and a scrape of every kubelet is shared: requests
 * arriving while one is in flight wait for it, and its result stays fresh for SCRAPE_TTL_MS, as
 * metrics-server serves from its last scrape instead of asking the kubelets per request.
 */
import type { KObject } from '../../lib/api/object.js';
import { ApiError } from '../../lib/errors.js';
import { cpuRateMilli, type CpuSample } from '../../controller-manager/controllers/hpa-metrics.js';
import type { Registry, RequestContext, ResourceDef } from '../registry/types.js';
import { kubeletRequest, nodeKubeletAddress } from './kubelet-proxy.js';
import type { ResourceRequest } from './request-info.js';

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const base = { group: GROUP, version: VERSION, singular: '', verbs: ['get', 'list'] };

/** Discovery identities of the two metrics resources. */
export const METRICS_RESOURCES: ResourceDef[] = [
  { ...base, resource: 'pods', kind: 'PodMetrics', listKind: 'PodMetricsList', namespaced: true },
  { ...base, resource: 'nodes', kind: 'NodeMetrics', listKind: 'NodeMetricsList', namespaced: false },
];

/** True for requests under metrics.k8s.io. */
export function isMetricsRequest(info: ResourceRequest): boolean {
  return info.group === GROUP;
}

interface SummaryContainer { name: string; cpu?: { time?: string; usageCoreNanoSeconds?: number }; memory?: { workingSetBytes?: number } }
interface SummaryPod { podRef?: { name?: string; namespace?: string }; containers?: SummaryContainer[] }
interface Summary { pods?: SummaryPod[] }
interface Usage { cpuNano: number; memBytes: number }
interface ContainerUsage extends Usage { name: string }
interface PodUsage { namespace: string; name: string; node: string; time: string; windowS: number; containers: ContainerUsage[] }

const FIRST_WINDOW_MS = 1000;
/** How long one scrape of the kubelets answers later requests. */
export const SCRAPE_TTL_MS = 1000;

const shared = new WeakMap<Registry, MetricsApi>();

/** Scrapes kubelets and keeps the last CPU sample per container to turn the next one into a rate. */
export class MetricsApi {
  private readonly last = new Map<string, CpuSample>();
  private inFlight: Promise<PodUsage[]> | undefined;
  private fresh: { at: number; usage: PodUsage[] } | undefined;
  /** Kubelet scrapes done so far (each asks every node once or twice). */
  scrapes = 0;

  constructor(private readonly registry: Registry, private readonly ttlMs = SCRAPE_TTL_MS) {}

  /** The one instance for this registry. */
  static for(registry: Registry): MetricsApi {
    let api = shared.get(registry);
    if (!api) { api = new MetricsApi(registry); shared.set(registry, api); }
    return api;
  }

  /** Serves a get or list; returns the JSON body. */
  async serve(ctx: RequestContext, info: ResourceRequest, labelSelector: string | undefined): Promise<KObject> {
    if (info.verb !== 'get' && info.verb !== 'list') throw new ApiError('MethodNotAllowed', `${info.verb} is not supported on ${info.resource}.${GROUP}`);
    const def = METRICS_RESOURCES.find((d) => d.resource === info.resource);
    if (!def || info.version !== VERSION || info.subresource) throw new ApiError('NotFound', 'the server could not find the requested resource');
    const usage = await this.scrape(ctx);
    const items = def.resource === 'pods'
      ? await this.podItems(ctx, usage, info.namespace, labelSelector)
      : await this.nodeItems(ctx, usage, labelSelector);
    if (info.verb === 'get') {
      const one = items.find((i) => i.metadata?.name === info.name);
      if (!one) throw new ApiError('NotFound', `${def.resource === 'pods' ? 'podmetrics' : 'nodemetrics'}.${GROUP} "${info.name}" not found`, { name: info.name, group: GROUP, kind: def.resource });
      return one;
    }
    return { kind: def.listKind, apiVersion: `${GROUP}/${VERSION}`, metadata: {}, items };
  }

  /** The latest usage: a fresh cached scrape, the one in flight, or a new one. */
  private scrape(ctx: RequestContext): Promise<PodUsage[]> {
    if (this.fresh && Date.now() - this.fresh.at < this.ttlMs) return Promise.resolve(this.fresh.usage);
    if (!this.inFlight) {
      this.inFlight = this.scrapeNow(ctx)
        .then((usage) => { this.fresh = { at: Date.now(), usage }; return usage; })
        .finally(() => { this.inFlight = undefined; });
    }
    return this.inFlight;
  }

  private async scrapeNow(ctx: RequestContext): Promise<PodUsage[]> {
    this.scrapes++;
    const nodes = (await this.registry.list(ctx, { group: '', version: 'v1', resource: 'nodes' }, undefined, {})).items;
    let out = await this.sample(ctx, nodes);
    if (out.some((p) => p.containers.some((c) => Number.isNaN(c.cpuNano)))) {
      // First sight of some containers: a rate needs a second sample.
      await new Promise((r) => setTimeout(r, FIRST_WINDOW_MS));
      out = await this.sample(ctx, nodes);
    }
    return out.map((p) => ({ ...p, containers: p.containers.filter((c) => !Number.isNaN(c.cpuNano)) }));
  }

  private async sample(ctx: RequestContext, nodes: KObject[]): Promise<PodUsage[]> {
    const perNode = await Promise.all(nodes.map(async (node) => {
      const name = node.metadata?.name ?? '';
      const summary = await fetchSummary(this.registry, ctx, name).catch(() => undefined);
      return (summary?.pods ?? []).map((p) => this.podUsage(name, p));
    }));
    const out = perNode.flat();
    // Forget the samples of containers no kubelet reports any more (deleted pods).
    const seen = new Set(out.flatMap((p) => p.containers.map((c) => `${p.namespace}/${p.name}/${c.name}`)));
    for (const key of this.last.keys()) if (!seen.has(key)) this.last.delete(key);
    return out;
  }

  private podUsage(node: string, p: SummaryPod): PodUsage {
    const namespace = p.podRef?.namespace ?? '';
    const name = p.podRef?.name ?? '';
    let time = '';
    let windowS = FIRST_WINDOW_MS / 1000;
    const containers = (p.containers ?? []).map((c) => {
      const key = `${namespace}/${name}/${c.name}`;
      const cur: CpuSample = { timeMs: Date.parse(c.cpu?.time ?? '') || Date.now(), usageNanoSeconds: c.cpu?.usageCoreNanoSeconds ?? 0 };
      const prev = this.last.get(key);
      this.last.set(key, cur);
      const milli = cpuRateMilli(prev, cur);
      if (prev) windowS = Math.max(1, Math.round((cur.timeMs - prev.timeMs) / 1000));
      time = c.cpu?.time ?? time;
      return { name: c.name, cpuNano: milli === undefined ? NaN : milli * 1e6, memBytes: c.memory?.workingSetBytes ?? 0 };
    });
    return { namespace, name, node, time: time || new Date().toISOString(), windowS, containers };
  }

  private async podItems(ctx: RequestContext, usage: PodUsage[], namespace: string | undefined, labelSelector: string | undefined): Promise<KObject[]> {
    const pods = (await this.registry.list(ctx, { group: '', version: 'v1', resource: 'pods' }, namespace, { labelSelector })).items;
    const known = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    return usage.filter((u) => known.has(`${u.namespace}/${u.name}`) && u.containers.length).map((u) => ({
      kind: 'PodMetrics', apiVersion: `${GROUP}/${VERSION}`,
      metadata: { name: u.name, namespace: u.namespace, labels: known.get(`${u.namespace}/${u.name}`)!.metadata?.labels, creationTimestamp: new Date().toISOString() },
      timestamp: u.time, window: `${u.windowS}s`,
      containers: u.containers.map((c) => ({ name: c.name, usage: quantities(c) })),
    }));
  }

  private async nodeItems(ctx: RequestContext, usage: PodUsage[], labelSelector: string | undefined): Promise<KObject[]> {
    const nodes = (await this.registry.list(ctx, { group: '', version: 'v1', resource: 'nodes' }, undefined, { labelSelector })).items;
    return nodes.map((n) => {
      const name = n.metadata?.name ?? '';
      const mine = usage.filter((u) => u.node === name);
      const sum = mine.flatMap((u) => u.containers).reduce<Usage>((a, c) => ({ cpuNano: a.cpuNano + c.cpuNano, memBytes: a.memBytes + c.memBytes }), { cpuNano: 0, memBytes: 0 });
      return {
        kind: 'NodeMetrics', apiVersion: `${GROUP}/${VERSION}`,
        metadata: { name, labels: n.metadata?.labels, creationTimestamp: new Date().toISOString() },
        timestamp: mine[0]?.time ?? new Date().toISOString(), window: `${mine[0]?.windowS ?? 1}s`, usage: quantities(sum),
      };
    });
  }
}

/** CPU in nanocores and memory in KiB, as metrics-server prints them. */
function quantities(u: Usage): Record<string, string> {
  return { cpu: `${Math.max(0, Math.round(u.cpuNano))}n`, memory: `${Math.round(u.memBytes / 1024)}Ki` };
}

async function fetchSummary(registry: Registry, ctx: RequestContext, nodeName: string): Promise<Summary> {
  const target = await nodeKubeletAddress(registry, ctx, nodeName);
  return new Promise((resolve, reject) => {
    const req = kubeletRequest(target, { path: '/stats/summary', timeout: 3000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => { try { resolve(JSON.parse(text) as Summary); } catch (err) { reject(err); } });
    });
    req.on('timeout', () => req.destroy(new Error('kubelet stats timed out')));
    req.on('error', reject);
    req.end();
  });
}
