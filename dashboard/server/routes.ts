/**
 * The dashboard's HTTP API: the live stream (SSE), object YAML, logs, apply/scale/delete and
 * chaos actions. Every failure answers a Kubernetes Status body (the apiserver's own when it
 * refused), so the page shows the same message kubectl would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ApiError } from '../../lib/errors.js';
import { applyManifest, deleteObject, getObject, scale } from './actions.js';
import { runChaos, type ChaosActions, chaosCatalog } from './chaos.js';
import type { ClusterHub } from './hub.js';
import { pipeLogs, type RestTarget } from './logs.js';
import { slimKey } from './slim.js';
import { serveStream } from './sse.js';
import type { NodeAgents } from './node-agents.js';
import { tracePods } from './trace.js';

/** What the routes need. */
export interface RouteDeps { client: ApiClient; hub: ClusterHub; agents: NodeAgents; rest: RestTarget; chaos: ChaosActions; signal: AbortSignal; readOnly?: boolean }

const MAX_BODY = 1 << 20;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    // A JSON-only API also keeps plain cross-site form posts from triggering writes.
    throw new ApiError('UnsupportedMediaType', 'the dashboard API takes application/json');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError('TooLarge', 'request body larger than 1 MiB');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* answered below */ }
  throw new ApiError('BadRequest', 'request body must be a JSON object');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Answers an error as a Kubernetes Status. */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = err instanceof ApiError ? err : new ApiError('Internal', (err as Error)?.message ?? String(err));
  if (res.headersSent) { res.end(); return; }
  sendJson(res, e.httpStatus, e.toStatus());
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new ApiError('BadRequest', `${what} is required`);
  return v;
}

function hollowNodeOf(hub: ClusterHub, ns: string, pod: string): boolean {
  const view = hub.snapshotOne(slimKey('Pod', ns, pod));
  const node = view && hub.snapshotOne(slimKey('Node', undefined, String(view.node ?? '')));
  return !!node?.hollow;
}

/** Handles /api/*; returns false when the path is not an API path. */
export async function handleApi(d: RouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const q = url.searchParams;
  const route = `${req.method} ${url.pathname}`;
  if (d.readOnly && req.method === 'POST' && url.pathname.startsWith('/api/')) {
    throw new ApiError('Forbidden', 'this dashboard runs with --read-only: apply, scale, delete and chaos are off');
  }
  switch (route) {
    case 'GET /api/stream': serveStream(d.hub, req, res, d.signal); return true;
    case 'GET /api/info': sendJson(res, 200, { chaos: d.readOnly ? [] : chaosCatalog(d.chaos), readOnly: !!d.readOnly, synced: d.hub.synced() }); return true;
    case 'GET /api/object': {
      const { yaml, object } = await getObject(d.client, str(q.get('kind'), 'kind'), q.get('namespace') ?? undefined, str(q.get('name'), 'name'));
      sendJson(res, 200, { yaml, decision: object.metadata?.annotations?.['scheduler.kubesim.io/decision'] ?? null });
      return true;
    }
    case 'GET /api/logs': {
      const namespace = str(q.get('namespace'), 'namespace'); const name = str(q.get('name'), 'name');
      // A hollow node has no kubelet to ask; its made-up address must not be dialled.
      if (hollowNodeOf(d.hub, namespace, name)) throw new ApiError('BadRequest', `pod ${namespace}/${name} runs on a hollow node: it has no containers and no logs`);
      const tail = q.get('tailLines');
      await pipeLogs(d.rest, { namespace, name, container: q.get('container') ?? undefined, follow: q.get('follow') === 'true', tailLines: tail ? Number(tail) : undefined }, req, res);
      return true;
    }
    case 'GET /api/trace': {
      // Read-only: each node's flanneld answers from its own tables.
      sendJson(res, 200, { hops: await tracePods(d.hub, d.agents, str(q.get('from'), 'from'), str(q.get('to'), 'to'), d.signal) });
      return true;
    }
    case 'POST /api/apply': {
      const body = await readJson(req);
      sendJson(res, 200, { results: await applyManifest(d.client, str(body.yaml, 'yaml'), typeof body.namespace === 'string' ? body.namespace : undefined) });
      return true;
    }
    case 'POST /api/scale': {
      const b = await readJson(req);
      await scale(d.client, str(b.kind, 'kind'), str(b.namespace, 'namespace'), str(b.name, 'name'), b.replicas);
      sendJson(res, 200, { ok: true });
      return true;
    }
    case 'POST /api/delete': {
      const b = await readJson(req);
      await deleteObject(d.client, str(b.kind, 'kind'), typeof b.namespace === 'string' ? b.namespace : undefined, str(b.name, 'name'));
      sendJson(res, 200, { ok: true });
      return true;
    }
    case 'POST /api/chaos': {
      const b = await readJson(req);
      sendJson(res, 200, { message: await runChaos(d.client, d.chaos, str(b.action, 'action'), typeof b.target === 'string' ? b.target : '') });
      return true;
    }
    default:
      if (url.pathname.startsWith('/api/')) throw new ApiError('NotFound', `no dashboard API ${route}`);
      return false;
  }
}
