/**
 * Chaos scenario files: YAML with `params` (defaults, overridable with --set k=v and used as
 * ${k} anywhere in the file), `steps` run in order and `finally` steps run always (cleanup).
 * Parsing validates every step up front so a typo fails before any chaos is done.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '../commands/up.js';

/** One step: exactly one known key (its kind) plus, for expectations, `within`. */
export type Step = Record<string, unknown>;

/** A parsed scenario. */
export interface Scenario { name: string; description: string; params: Record<string, string | number>; steps: Step[]; finally: Step[] }

/** Step kinds the runner knows (see runner.ts). */
export const STEP_KINDS = ['kubectl', 'apply', 'wait', 'expect', 'probe', 'watchLoad', 'kill', 'restart', 'stopNode', 'startNode', 'partition', 'split', 'heal', 'netem', 'clearNetem', 'log'];
/** Expectation kinds (see checks.ts). */
export const EXPECT_KINDS = ['podsRunning', 'nodeReady', 'apiserverReady', 'maxOutage', 'probeOk', 'watchersSaw'];

/** Reads and parses a scenario file. */
export function loadScenario(file: string, overrides: Record<string, string> = {}): Scenario {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { throw new UserError(`cannot read scenario ${file}: ${(err as Error).message}`); }
  return parseScenario(text, overrides, file);
}

/** Parses scenario text: params first, then the text again with ${param} substituted. */
export function parseScenario(text: string, overrides: Record<string, string> = {}, source = 'scenario'): Scenario {
  // ${x} inside flow maps is not valid YAML: read params from a copy with placeholders.
  const first = parseYaml(text.replace(/\$\{([A-Za-z0-9_]+)\}/g, 'param_$1'), source);
  const declared = (first.params ?? {}) as Record<string, string | number>;
  if (typeof declared !== 'object' || Array.isArray(declared)) throw new UserError(`${source}: params must be a map`);
  for (const k of Object.keys(overrides)) {
    if (!(k in declared)) throw new UserError(`${source}: unknown parameter "${k}" (declared: ${Object.keys(declared).join(', ') || 'none'})`);
  }
  const params: Record<string, string | number> = { ...declared };
  for (const [k, v] of Object.entries(overrides)) params[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  const substituted = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, k: string) => {
    if (!(k in params)) throw new UserError(`${source}: \${${k}} is not a declared parameter`);
    return String(params[k]);
  });
  const doc = parseYaml(substituted, source);
  const steps = checkSteps(doc.steps, 'steps', source);
  if (!steps.length) throw new UserError(`${source}: steps must not be empty`);
  return {
    name: String(doc.name ?? source), description: String(doc.description ?? ''), params,
    steps, finally: checkSteps(doc.finally ?? [], 'finally', source),
  };
}

function parseYaml(text: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try { doc = parse(text); } catch (err) { throw new UserError(`${source}: invalid YAML: ${(err as Error).message}`); }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${source}: a scenario is a map with name, params, steps`);
  return doc as Record<string, unknown>;
}

function checkSteps(list: unknown, field: string, source: string): Step[] {
  if (!Array.isArray(list)) throw new UserError(`${source}: ${field} must be a list`);
  return list.map((s: unknown, i) => {
    const where = `${source}: ${field}[${i}]`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new UserError(`${where}: a step is a map like {kill: {component: kubelet, node: node-2}}`);
    const keys = Object.keys(s).filter((k) => k !== 'within' && k !== 'name');
    if (keys.length !== 1 || !STEP_KINDS.includes(keys[0])) throw new UserError(`${where}: expected exactly one of ${STEP_KINDS.join(', ')}; got ${keys.join(', ') || 'nothing'}`);
    if (keys[0] === 'expect') {
      const e = (s as Step).expect;
      const ek = e && typeof e === 'object' ? Object.keys(e) : [];
      if (ek.length !== 1 || !EXPECT_KINDS.includes(ek[0])) throw new UserError(`${where}: expect takes exactly one of ${EXPECT_KINDS.join(', ')}`);
    }
    return s as Step;
  });
}

/** Parses `k=v` pairs from --set. */
export function parseSets(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UserError(`--set ${p}: use name=value`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}
