/**
 * Plugins register by name; a profile picks which run and with which score weight.
 * `Framework` instantiates a profile and exposes the plugin lists per extension point.
 */
import { isFilter, isPreBind, isPreFilter, isPreScore, isScore, type FilterPlugin, type Plugin, type PreBindPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from './interfaces.js';

/** Builds a plugin instance from its `pluginConfig` args (undefined = defaults); throws on bad args. */
export type PluginFactory = (args?: Record<string, unknown>) => Plugin;

/** Plugin factories by name. */
export type Registry = Map<string, PluginFactory>;

/** Which plugins a scheduler profile runs. Filter order matters: the first failing plugin names the node's reason. */
export interface Profile {
  schedulerName: string;
  /** Plugins whose PreFilter/Filter points run, in order. */
  filters: string[];
  /** Plugins whose PreScore/Score points run, with weights. */
  scores: { name: string; weight: number }[];
  /** Per-plugin arguments (KubeSchedulerConfiguration `pluginConfig`). */
  pluginConfig?: Record<string, Record<string, unknown>>;
}

/** A profile instantiated: plugin objects per extension point. */
export class Framework {
  readonly preFilters: PreFilterPlugin[] = [];
  readonly filters: FilterPlugin[] = [];
  readonly preScores: PreScorePlugin[] = [];
  readonly scores: { plugin: ScorePlugin; weight: number }[] = [];
  readonly preBinds: PreBindPlugin[] = [];

  constructor(registry: Registry, readonly profile: Profile) {
    const instances = new Map<string, Plugin>();
    const get = (name: string): Plugin => {
      let p = instances.get(name);
      if (!p) {
        const factory = registry.get(name);
        if (!factory) throw new Error(`scheduler profile ${profile.schedulerName}: plugin ${JSON.stringify(name)} is not registered`);
        p = factory(profile.pluginConfig?.[name]);
        instances.set(name, p);
      }
      return p;
    };
    for (const name of profile.filters) {
      const p = get(name);
      if (isPreFilter(p)) this.preFilters.push(p);
      if (isFilter(p)) this.filters.push(p);
      if (isPreBind(p)) this.preBinds.push(p);
    }
    for (const { name, weight } of profile.scores) {
      const p = get(name);
      if (!isScore(p)) throw new Error(`scheduler profile ${profile.schedulerName}: plugin ${name} has no Score point`);
      if (isPreScore(p)) this.preScores.push(p);
      this.scores.push({ plugin: p, weight });
    }
  }
}
