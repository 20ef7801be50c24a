/**
 * `--config`: a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file. Each profile
 * starts from the default profile; `plugins.<point>.disabled` removes plugins (`*` = all of
 * that point), `enabled` adds them (score plugins with a weight, default 1). filter/preFilter act
 * on the Filter list, score/preScore on the Score list, multiPoint on both. This is how a
 * "custom scheduling algorithm" is assembled from registered plugins without code.
 * `pluginConfig` passes arguments, e.g. NodeResourcesFit `scoringStrategy.type: MostAllocated`.
 */
import { parse as parseYaml } from 'yaml';
import type { Profile, Registry } from './framework/registry.js';
import { isFilter, isPreFilter, isScore, type Plugin } from './framework/interfaces.js';
import { defaultProfile } from './plugins/index.js';

/** One plugin reference in a plugin set. */
interface PluginRef { name: string; weight?: number }
/** enabled/disabled lists of one extension point. */
interface PluginSet { enabled?: PluginRef[]; disabled?: PluginRef[] }
type Point = 'multiPoint' | 'preFilter' | 'filter' | 'preScore' | 'score';

/** The parts of KubeSchedulerConfiguration kubesim reads. */
export interface SchedulerConfig {
  profiles: Profile[];
  leaderElection?: { leaderElect?: boolean; leaseDuration?: string; renewDeadline?: string; retryPeriod?: string; resourceNamespace?: string; resourceName?: string };
}

const API_VERSIONS = ['kubescheduler.config.k8s.io/v1', 'kubescheduler.config.k8s.io/v1beta3'];
const FILTER_POINTS: Point[] = ['multiPoint', 'preFilter', 'filter'];
const SCORE_POINTS: Point[] = ['multiPoint', 'preScore', 'score'];

function fail(path: string, msg: string): never {
  throw new Error(`KubeSchedulerConfiguration: ${path}: ${msg}`);
}

function applySet(list: { name: string; weight: number }[], set: PluginSet | undefined, path: string, check: (name: string, path: string) => boolean, isScoreList: boolean): void {
  for (const [i, d] of (set?.disabled ?? []).entries()) {
    if (d.name === '*') list.splice(0, list.length);
    else {
      const at = list.findIndex((p) => p.name === d.name);
      if (at >= 0) list.splice(at, 1);
      else if (!check(d.name, `${path}.disabled[${i}]`)) continue;
    }
  }
  for (const [i, e] of (set?.enabled ?? []).entries()) {
    if (!check(e.name, `${path}.enabled[${i}]`)) continue;
    if (isScoreList && e.weight !== undefined && (!Number.isInteger(e.weight) || e.weight < 0 || e.weight > 100)) fail(`${path}.enabled[${i}].weight`, `Invalid value: ${e.weight}: must be an integer in 0..100`);
    const existing = list.find((p) => p.name === e.name);
    if (existing) existing.weight = e.weight ?? existing.weight;
    else list.push({ name: e.name, weight: e.weight ?? 1 });
  }
}

/** Builds one profile from its config entry. */
export function profileFromConfig(entry: Record<string, unknown>, index: number, registry: Registry): Profile {
  const name = (entry.schedulerName as string | undefined) ?? 'default-scheduler';
  const base = defaultProfile(name);
  const filters = base.filters.map((n) => ({ name: n, weight: 0 }));
  const scores = base.scores.map((s) => ({ ...s }));
  const plugins = (entry.plugins ?? {}) as Partial<Record<Point, PluginSet>>;
  const instances = new Map<string, Plugin>();
  const plugin = (n: string, path: string) => {
    if (!registry.has(n)) fail(path, `plugin ${JSON.stringify(n)} is not registered (known: ${[...registry.keys()].join(', ')})`);
    if (!instances.has(n)) instances.set(n, registry.get(n)!());
    return instances.get(n)!;
  };
  for (const point of Object.keys(plugins)) {
    if (!FILTER_POINTS.includes(point as Point) && !SCORE_POINTS.includes(point as Point)) fail(`profiles[${index}].plugins.${point}`, 'extension point not supported (multiPoint, preFilter, filter, preScore, score)');
  }
  for (const point of FILTER_POINTS) {
    applySet(filters, plugins[point], `profiles[${index}].plugins.${point}`, (n, path) => {
      const p = plugin(n, path);
      if (isFilter(p) || isPreFilter(p)) return true;
      if (point === 'multiPoint') return false;
      return fail(path, `plugin ${JSON.stringify(n)} has no ${point === 'filter' ? 'Filter' : 'PreFilter'} extension point`);
    }, false);
  }
  for (const point of SCORE_POINTS) {
    applySet(scores, plugins[point], `profiles[${index}].plugins.${point}`, (n, path) => {
      if (isScore(plugin(n, path))) return true;
      if (point === 'multiPoint') return false;
      return fail(path, `plugin ${JSON.stringify(n)} has no Score extension point`);
    }, true);
  }
  const pluginConfig = parsePluginConfig(entry.pluginConfig, index, registry);
  return { schedulerName: name, filters: filters.map((f) => f.name), scores: scores.filter((s) => s.weight > 0), ...(pluginConfig ? { pluginConfig } : {}) };
}

// `pluginConfig: [{name, args}]`; each plugin is built once with its args so bad args fail at startup.
function parsePluginConfig(raw: unknown, index: number, registry: Registry): Profile['pluginConfig'] {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) fail(`profiles[${index}].pluginConfig`, 'must be a list of {name, args}');
  const out: Record<string, Record<string, unknown>> = {};
  raw.forEach((pc: { name?: string; args?: Record<string, unknown> }, i) => {
    const path = `profiles[${index}].pluginConfig[${i}]`;
    const factory = pc?.name ? registry.get(pc.name) : undefined;
    if (!factory) fail(`${path}.name`, `plugin ${JSON.stringify(pc?.name)} is not registered`);
    if (out[pc.name!]) fail(`${path}.name`, `Duplicate value: ${JSON.stringify(pc.name)}`);
    try { factory(pc.args ?? {}); } catch (err) { fail(`${path}.args`, (err as Error).message); }
    out[pc.name!] = pc.args ?? {};
  });
  return out;
}

/** Parses a KubeSchedulerConfiguration (YAML or JSON); throws an Error naming the bad field. */
export function parseSchedulerConfig(text: string, registry: Registry): SchedulerConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseYaml(text) as Record<string, unknown>;
  } catch (err) {
    return fail('(file)', `not YAML: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') fail('(file)', 'empty');
  if (!API_VERSIONS.includes(doc.apiVersion as string)) fail('apiVersion', `Unsupported value: ${JSON.stringify(doc.apiVersion)}: supported values: ${API_VERSIONS.map((v) => JSON.stringify(v)).join(', ')}`);
  if (doc.kind !== 'KubeSchedulerConfiguration') fail('kind', `Unsupported value: ${JSON.stringify(doc.kind)}: supported values: "KubeSchedulerConfiguration"`);
  const entries = (doc.profiles as Record<string, unknown>[] | undefined) ?? [{}];
  const profiles = entries.map((e, i) => profileFromConfig(e ?? {}, i, registry));
  const seen = new Set<string>();
  profiles.forEach((p, i) => {
    if (seen.has(p.schedulerName)) fail(`profiles[${i}].schedulerName`, `Duplicate value: ${JSON.stringify(p.schedulerName)}`);
    seen.add(p.schedulerName);
  });
  return { profiles, leaderElection: doc.leaderElection as SchedulerConfig['leaderElection'] };
}
