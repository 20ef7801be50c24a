/**
 * flanneld's HTTP endpoint: /healthz, /metrics (per-peer datapath counters) and /chaos
 * (GET the rules, PUT/POST new ones as JSON, DELETE to clear) — what `kubesim chaos` drives —
 * and /tables (read-only routes, neighbours, FDB and lease: what the dashboard's trace draws).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { ApiError, isApiError } from '../lib/errors.js';
import { parseChaos } from './datapath/chaos.js';
import { renderMetrics } from './datapath/stats.js';
import type { Backend } from './backends/backend.js';
import { readTables, type OwnLease } from './tables.js';

/** What the server reports on. */
export interface ServerState {
  backend?: Backend;
  /** True once the lease is held and subnet.env written. */
  ready: boolean;
  subnet?: string;
  /** The held lease (for /tables) and the namespace of the node's links. */
  lease?: OwnLease;
  netns?: string;
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = isApiError(err) ? err : new ApiError('Internal', String((err as Error)?.message ?? err));
  res.writeHead(e.httpStatus, { 'content-type': 'application/json' });
  res.end(JSON.stringify(e.toStatus()));
}

/** Starts the server on host:port (port 0 = any); resolves once listening. */
export async function startServer(state: ServerState, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname === '/healthz') {
        res.writeHead(state.ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(state.ready ? 'ok' : 'waiting for subnet lease');
        return;
      }
      if (url.pathname === '/metrics') {
        const b = state.backend;
        const body = `# HELP flannel_ready 1 when the subnet lease is held.\n# TYPE flannel_ready gauge\nflannel_ready ${state.ready ? 1 : 0}\n`
          + (b?.stats ? renderMetrics(b.stats, b.type, b.ioStats?.() as Record<string, Record<string, number> | undefined>) : '');
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(body);
        return;
      }
      if (url.pathname === '/tables') {
        readTables(state.netns ?? '', url.searchParams.getAll('dst'), state.lease, state.backend?.userspaceFdb?.()).then((t) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(t));
        }, (err) => sendError(res, err));
        return;
      }
      if (url.pathname === '/chaos') { handleChaos(state, req.method ?? 'GET', req, res); return; }
      throw new ApiError('NotFound', `the server could not find the requested resource ${url.pathname}`);
    } catch (err) {
      sendError(res, err);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return server;
}

function handleChaos(state: ServerState, method: string, req: NodeJS.ReadableStream, res: ServerResponse): void {
  const chaos = state.backend?.chaos;
  if (!chaos) throw new ApiError('BadRequest', `backend ${state.backend?.type ?? '(none yet)'} has no userspace datapath: chaos hooks need udp or vxlan (userspace mode)`);
  const reply = (): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(chaos.get()));
  };
  if (method === 'GET') return reply();
  if (method === 'DELETE') { chaos.set({ peers: {} }); return reply(); }
  if (method !== 'PUT' && method !== 'POST') throw new ApiError('MethodNotAllowed', `method ${method} is not allowed on /chaos`);
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => { if (body.length < 1 << 20) body += d; });
  req.on('end', () => {
    try {
      let parsed: unknown;
      try { parsed = JSON.parse(body); } catch { throw new ApiError('BadRequest', 'chaos: body must be JSON'); }
      chaos.set(parseChaos(parsed));
      reply();
    } catch (err) {
      sendError(res, err);
    }
  });
}
