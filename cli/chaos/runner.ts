/**
 * Runs a chaos scenario against a local cluster: steps in order (actions, waits, background
 * loads, expectations polled until `within`), then the `finally` steps whatever happened. Every
 * step lands on a timeline; the verdict is PASS when every expectation was met.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadContext, parseDuration, parsePercent, type ChaosContext } from './context.js';
import { killComponent, restartComponent, stopNode, startNode } from './process-actions.js';
import { partitionNodes, splitCluster, heal, netem, clearNetem } from './network-actions.js';
import { check, type Loads } from './checks.js';
import { HttpProbe, WatchLoad, sleep } from './load.js';
import type { Scenario, Step } from './scenario.js';

const execFileP = promisify(execFile);

/** One line of the timeline. */
export interface TimelineEntry { atMs: number; what: string; ok: boolean }

/** A finished run. */
export interface ScenarioResult { scenario: string; verdict: 'PASS' | 'FAIL'; failures: string[]; timeline: TimelineEntry[]; durationMs: number }

type Args = Record<string, unknown>;

/** Runs `scenario` on cluster `cluster`; `print` receives each timeline line as it happens. */
export async function runScenario(cluster: string, scenario: Scenario, print: (line: string) => void = () => {}, signal?: AbortSignal): Promise<ScenarioResult> {
  const ctx = loadContext(cluster);
  const t0 = Date.now();
  const timeline: TimelineEntry[] = [];
  const failures: string[] = [];
  const note = (what: string, ok = true): void => {
    const e = { atMs: Date.now() - t0, what, ok };
    timeline.push(e);
    print(formatEntry(e));
  };
  const loads: Loads = { probes: new Map(), watches: new Map() };
  const stopLoads = new AbortController();
  const running: Promise<void>[] = [];
  note(`scenario ${scenario.name} on cluster ${cluster}`);
  try {
    for (const step of scenario.steps) {
      if (signal?.aborted) { failures.push('aborted'); break; }
      try {
        await runStep(ctx, step, loads, stopLoads.signal, running, note, failures);
      } catch (err) {
        note(`${describe(step)}: ${(err as Error).message}`, false);
        failures.push(`${describe(step)}: ${(err as Error).message}`);
        break; // an action that could not be done leaves nothing meaningful to check
      }
    }
  } finally {
    for (const step of scenario.finally) {
      try { await runStep(ctx, step, loads, stopLoads.signal, running, note, failures); } catch (err) { note(`finally ${describe(step)}: ${(err as Error).message}`, false); }
    }
    stopLoads.abort();
    await Promise.allSettled(running);
  }
  const verdict = failures.length ? 'FAIL' : 'PASS';
  note(`verdict ${verdict}${failures.length ? `: ${failures.length} failure(s)` : ''}`, !failures.length);
  return { scenario: scenario.name, verdict, failures, timeline, durationMs: Date.now() - t0 };
}

/** "+  12.3s ✓ what" */
export function formatEntry(e: TimelineEntry): string {
  return `+${(e.atMs / 1000).toFixed(1).padStart(6)}s ${e.ok ? '✓' : '✗'} ${e.what}`;
}

function describe(step: Step): string {
  const kind = Object.keys(step).find((k) => k !== 'within' && k !== 'name')!;
  return step.name ? String(step.name) : `${kind} ${JSON.stringify(step[kind])}`;
}

async function runStep(ctx: ChaosContext, step: Step, loads: Loads, loadSignal: AbortSignal, running: Promise<void>[],
  note: (what: string, ok?: boolean) => void, failures: string[]): Promise<void> {
  const kind = Object.keys(step).find((k) => k !== 'within' && k !== 'name')!;
  const a = (step[kind] ?? {}) as Args;
  switch (kind) {
    case 'wait': await sleep(parseDuration(step.wait as string)); note(`waited ${String(step.wait)}`); return;
    case 'log': note(String(step.log)); return;
    case 'kubectl': await kubectl(ctx, (step.kubectl as unknown[]).map(String)); note(`kubectl ${(step.kubectl as unknown[]).join(' ')}`); return;
    case 'apply': await kubectl(ctx, ['apply', '-f', '-'], String(step.apply)); note(step.name ? String(step.name) : 'kubectl apply'); return;
    case 'kill': {
      const pids = await killComponent(ctx, String(a.component), a.node as string | undefined, String(a.signal ?? 'KILL'));
      note(`killed ${String(a.component)}${a.node ? ` on ${String(a.node)}` : ''} (pid ${pids.join(',')})`);
      return;
    }
    case 'restart': await restartComponent(ctx, String(a.component), a.node as string | undefined); note(`restarted ${String(a.component)}${a.node ? ` on ${String(a.node)}` : ''}`); return;
    case 'stopNode': await stopNode(ctx, String(step.stopNode)); note(`stopped node ${String(step.stopNode)}`); return;
    case 'startNode': await startNode(ctx, String(step.startNode)); note(`started node ${String(step.startNode)}`); return;
    case 'partition': await partitionNodes(ctx, (step.partition as unknown[]).map(String)); note(`partitioned ${(step.partition as unknown[]).join(', ')}`); return;
    case 'split': {
      const [g1, g2] = step.split as string[][];
      await splitCluster(ctx, g1 ?? [], g2 ?? []);
      note(`split [${g1.join(', ')}] | [${g2.join(', ')}]`);
      return;
    }
    case 'heal': await heal(ctx); note('healed partitions'); return;
    case 'netem':
      await netem(ctx, String(a.node ?? 'all'), {
        delayMs: a.delay === undefined ? undefined : parseDuration(a.delay as string), jitterMs: a.jitter === undefined ? undefined : parseDuration(a.jitter as string),
        loss: a.loss === undefined ? undefined : parsePercent(a.loss as string), duplicate: a.duplicate === undefined ? undefined : parsePercent(a.duplicate as string),
        reorder: a.reorder === undefined ? undefined : parsePercent(a.reorder as string), seed: a.seed as number | undefined, tc: a.tc === true,
      });
      note(`netem on ${String(a.node ?? 'all')}: ${JSON.stringify(a)}`);
      return;
    case 'clearNetem': await clearNetem(ctx, String(step.clearNetem ?? 'all')); note('netem cleared'); return;
    case 'probe': {
      const url = await nodePortURL(ctx, String(a.service), String(a.namespace ?? 'default'), String(a.via ?? ctx.nodes[0].name), String(a.path ?? '/'));
      const p = new HttpProbe(String(a.name ?? a.service), url, a.interval ? parseDuration(a.interval as string) : 200,
        a.timeout ? parseDuration(a.timeout as string) : 3000);
      loads.probes.set(p.name, p);
      running.push(p.run(loadSignal));
      note(`probe ${p.name} → ${url}`);
      return;
    }
    case 'watchLoad': {
      const w = new WatchLoad(String(a.name ?? 'watchers'), ctx.apiURL, String(a.namespace ?? 'default'), Number(a.watchers ?? 10));
      loads.watches.set(w.name, w);
      running.push(w.run(loadSignal));
      note(`${w.watchers} watchers on configmaps (${w.name})`);
      return;
    }
    case 'expect': return expectStep(ctx, step, loads, note, failures);
  }
}

async function expectStep(ctx: ChaosContext, step: Step, loads: Loads, note: (what: string, ok?: boolean) => void, failures: string[]): Promise<void> {
  const [kind, arg] = Object.entries(step.expect as Args)[0] as [string, Args];
  const withinMs = step.within === undefined ? 0 : parseDuration(step.within as string);
  const started = Date.now();
  let last = { met: false, saw: 'not checked' };
  for (;;) {
    try { last = await check(ctx, loads, kind, arg ?? {}); } catch (err) { last = { met: false, saw: (err as Error).message }; }
    if (last.met || Date.now() - started >= withinMs) break;
    await sleep(Math.min(500, withinMs - (Date.now() - started)));
  }
  const label = `${step.name ? String(step.name) : `expect ${kind}`}${withinMs ? ` within ${String(step.within)}` : ''}`;
  const took = ((Date.now() - started) / 1000).toFixed(1);
  note(`${label}: ${last.saw}${withinMs ? ` (after ${took}s)` : ''}`, last.met);
  if (!last.met) failures.push(`${label}: ${last.saw}`);
}

async function kubectl(ctx: ChaosContext, args: string[], input?: string): Promise<string> {
  const p = execFileP('kubectl', args, { env: { ...process.env, KUBECONFIG: ctx.layout.kubeconfig }, timeout: 60_000, maxBuffer: 16 << 20 });
  if (input !== undefined) { p.child.stdin?.end(input); }
  try { return (await p).stdout; } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

async function nodePortURL(ctx: ChaosContext, service: string, ns: string, via: string, path: string): Promise<string> {
  const res = await fetch(`${ctx.apiURL}/api/v1/namespaces/${ns}/services/${service}`);
  if (!res.ok) throw new Error(`service ${ns}/${service}: HTTP ${res.status}`);
  const svc = await res.json() as { spec?: { ports?: { nodePort?: number }[] } };
  const port = svc.spec?.ports?.find((p) => p.nodePort)?.nodePort;
  if (!port) throw new Error(`service ${ns}/${service} has no nodePort (make it type NodePort)`);
  const node = ctx.nodes.find((n) => n.name === via);
  if (!node) throw new Error(`no node ${via}`);
  return `http://${node.underlayIP}:${port}${path}`;
}
