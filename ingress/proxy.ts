/**
 * The ingress HTTP reverse proxy: each request is matched against the current RouteTable and sent
 * straight to a ready endpoint of the Service (round robin, not through kube-proxy), over a
 * keep-alive agent per endpoint, with X-Forwarded-For/Host/Proto and X-Real-IP set. No route →
 * 404; no ready endpoint → 503; an endpoint that fails → 502; each with a one-line body saying why.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveBackend, type BackendCaches } from './endpoints.js';
import { log } from './log.js';
import type { RouteTable } from './route-table.js';

/** Connect errors after which another endpoint is tried (the request never reached a backend). */
const RETRY_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Methods also retried after a reset (a kept-alive socket the backend closed, or a pod that died mid-request). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** What the proxy reads on every request: the latest table and the caches. */
export interface ProxySource {
  table(): RouteTable;
  caches: BackendCaches;
}

/** Counters for /metrics-style introspection and tests. */
export interface ProxyStats { requests: number; proxied: number; noRoute: number; unavailable: number; badGateway: number; retries: number }

/** The reverse proxy server. */
export class IngressProxy {
  readonly stats: ProxyStats = { requests: 0, proxied: 0, noRoute: 0, unavailable: 0, badGateway: 0, retries: 0 };
  private readonly server: Server;
  private readonly agents = new Map<string, Agent>();
  private readonly next = new Map<string, number>();

  constructor(private readonly source: ProxySource) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens on host:port (port 0 = any); resolves the bound port. */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => { this.server.off('error', reject); resolve(); });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening, drops idle connections and backend agents. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    await closed;
  }

  /** Drops agents of endpoints no longer in any backend (called after a table or endpoints change). */
  pruneAgents(live: Set<string>): void {
    for (const [k, a] of this.agents) if (!live.has(k)) { a.destroy(); this.agents.delete(k); }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.requests++;
    const path = req.url ?? '/';
    const m = this.source.table().match(req.headers.host, path);
    if (!m) {
      if (path === '/healthz') return reply(res, 200, 'ok\n');
      this.stats.noRoute++;
      return reply(res, 404, `default backend - 404: no ingress rule for host ${JSON.stringify(req.headers.host ?? '')} path ${JSON.stringify(path)}\n`);
    }
    const r = resolveBackend(m.backend, this.source.caches);
    if (!r.ok) {
      this.stats.unavailable++;
      log('warn', 'no backend', { host: req.headers.host, path, rule: m.rule, ingress: m.backend.ingress, reason: r.reason });
      return reply(res, 503, `503 Service Unavailable: ${r.reason} (ingress ${m.backend.ingress}, rule ${m.rule})\n`);
    }
    const key = `${m.backend.namespace}/${m.backend.service}:${m.backend.port}`;
    const i = (this.next.get(key) ?? 0) % r.targets.length;
    this.next.set(key, i + 1);
    // Retrying is safe only when nothing of the request has been consumed: no body to replay.
    const replayable = !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0';
    const order = [...r.targets.slice(i), ...r.targets.slice(0, i)];
    this.forward(req, res, replayable ? order : order.slice(0, 1), m.backend.ingress);
  }

  /** Sends to targets[0]; a refused or unreachable connect moves on to the next target (a pod that just died). */
  private forward(req: IncomingMessage, res: ServerResponse, targets: Array<{ ip: string; port: number }>, ingress: string): void {
    const [target, ...rest] = targets;
    const endpoint = `${target.ip}:${target.port}`;
    let agent = this.agents.get(endpoint);
    if (!agent) { agent = new Agent({ keepAlive: true, maxSockets: 256 }); this.agents.set(endpoint, agent); }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    const client = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
    headers['x-real-ip'] = client;
    headers['x-forwarded-host'] = req.headers.host ?? '';
    headers['x-forwarded-proto'] = 'http';
    const up = request({ host: target.ip, port: target.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
      this.stats.proxied++;
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out);
      upRes.pipe(res);
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      log('warn', 'backend failed', { endpoint, ingress, error: err.message });
      if (!res.headersSent && rest.length && (RETRY_CODES.has(err.code ?? '') || (err.code === 'ECONNRESET' && IDEMPOTENT.has(req.method ?? '')))) {
        this.stats.retries++;
        return this.forward(req, res, rest, ingress);
      }
      this.stats.badGateway++;
      if (!res.headersSent) reply(res, 502, `502 Bad Gateway: endpoint ${endpoint} failed: ${err.message} (ingress ${ingress})\n`);
      else res.destroy();
    });
    // A client that goes away mid-request should not leave the backend request running.
    res.on('close', () => { if (!res.writableFinished) up.destroy(); });
    if (req.readableEnded) up.end(); else req.pipe(up);
  }
}

function reply(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The ip:port of every ready endpoint the table refers to (to prune agents). */
export function liveEndpoints(table: RouteTable, caches: BackendCaches): Set<string> {
  const out = new Set<string>();
  for (const id of table.services()) {
    const [namespace, name] = id.split('/');
    const svc = caches.service(namespace, name);
    for (const p of svc?.spec?.ports ?? []) {
      const r = resolveBackend({ namespace, service: name, port: p.port ?? 0, ingress: '' }, caches);
      if (r.ok) for (const t of r.targets) out.add(`${t.ip}:${t.port}`);
    }
  }
  return out;
}
