/**
 * Expectations of a scenario, each a function from the cluster (REST API) and the background
 * loads to "met" + a short observation. The runner polls them until `within` runs out.
 */
import { UserError } from '../commands/up.js';
import type { ChaosContext } from './context.js';
import { parseDuration } from './context.js';
import type { HttpProbe, WatchLoad } from './load.js';

/** What a check saw. */
export interface Observation { met: boolean; saw: string }

/** Background loads by name. */
export interface Loads { probes: Map<string, HttpProbe>; watches: Map<string, WatchLoad> }

interface PodJSON { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string; conditions?: { type: string; status: string }[] } }

async function getJSON<T>(ctx: ChaosContext, path: string): Promise<T> {
  const res = await fetch(`${ctx.apiURL}${path}`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return await res.json() as T;
}

/** Evaluates one expectation once. */
export async function check(ctx: ChaosContext, loads: Loads, kind: string, arg: Record<string, unknown>): Promise<Observation> {
  switch (kind) {
    case 'podsRunning': {
      const ns = String(arg.namespace ?? 'default');
      const list = await getJSON<{ items: PodJSON[] }>(ctx, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(String(arg.selector ?? ''))}`);
      const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running'
        && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        && (arg.notOnNode === undefined || p.spec.nodeName !== arg.notOnNode));
      const want = Number(arg.count);
      const where = ready.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(' ');
      return { met: ready.length >= want, saw: `${ready.length}/${want} ready${arg.notOnNode ? ` off ${String(arg.notOnNode)}` : ''}: ${where}` };
    }
    case 'nodeReady': {
      const node = await getJSON<{ status?: { conditions?: { type: string; status: string }[] } }>(ctx, `/api/v1/nodes/${String(arg.node)}`);
      const status = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
      const wantReady = arg.ready !== false;
      return { met: (status === 'True') === wantReady, saw: `${String(arg.node)} Ready=${status}` };
    }
    case 'apiserverReady': {
      const ok = await fetch(`${ctx.apiURL}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      return { met: ok, saw: `apiserver /readyz ${ok ? 'ok' : 'not answering'}` };
    }
    case 'maxOutage': {
      const probe = loadOf(loads.probes, arg.probe);
      const longest = probe.longestOutageMs();
      const limit = parseDuration(arg.below as string);
      return { met: longest < limit, saw: `longest outage ${(longest / 1000).toFixed(1)}s (limit ${(limit / 1000).toFixed(1)}s; ${probe.ok} ok, ${probe.failed} failed)` };
    }
    case 'probeOk': {
      const probe = loadOf(loads.probes, arg.probe);
      return { met: probe.lastOk, saw: `last request ${probe.lastOk ? 'succeeded' : 'failed'}` };
    }
    case 'watchersSaw': {
      const w = loadOf(loads.watches, arg.load);
      const n = w.sawCount(String(arg.configMap));
      return { met: n === w.watchers, saw: `${n}/${w.watchers} watchers saw configmap ${String(arg.configMap)} (${w.reconnects} reconnects)` };
    }
    default:
      throw new UserError(`unknown expectation ${kind}`);
  }
}

function loadOf<T>(m: Map<string, T>, name: unknown): T {
  const v = m.get(String(name));
  if (!v) throw new UserError(`no background load named "${String(name)}" (start it with a probe or watchLoad step first)`);
  return v;
}
