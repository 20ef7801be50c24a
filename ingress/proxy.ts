/**
 * The ingress HTTP reverse proxy: each request is matched against the current RouteTable and sent
 * straight to a ready endpoint of the Service (round robin, not through kube-proxy), over a
 * keep-alive agent per endpoint, with X-Forwarded-For/Host/Proto and X-Real-IP set; HTTPS
 * (certificates by SNI from Ingress spec.tls) and WebSocket upgrades go the same way. No route →
 * 404; no ready endpoint → 503; an endpoint that fails → 502; each with a one-line body saying why.
 */
import { Agent, STATUS_CODES, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { resolveBackend, type BackendCaches } from './endpoints.js';
import { log } from './log.js';
import type { RouteMatch, RouteTable } from './route-table.js';
import type { TlsContexts } from './tls.js';

type Target = { ip: string; port: number };

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
  private tlsServer: Server | undefined;
  private readonly agents = new Map<string, Agent>();
  private readonly next = new Map<string, number>();
  /** Upgraded connections have left the HTTP server, so close() ends them itself. */
  private readonly tunnels = new Set<Duplex>();

  constructor(private readonly source: ProxySource) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens on host:port (port 0 = any); resolves the bound port. */
  listen(host: string, port: number): Promise<number> {
    return listen(this.server, host, port);
  }

  /** Also serves HTTPS on host:port, the certificate chosen per connection by SNI; resolves the bound port. */
  async listenTls(host: string, port: number, contexts: TlsContexts): Promise<number> {
    const server = createHttpsServer({
      SNICallback: (name, cb) => {
        const ctx = contexts.contextFor(name);
        if (ctx) cb(null, ctx); else cb(new Error(`no TLS certificate for ${JSON.stringify(name)} in any served Ingress`));
      },
    }, (req, res) => this.handle(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.on('tlsClientError', (err) => log('debug', 'TLS handshake failed', { error: err.message }));
    this.tlsServer = server;
    return listen(server, host, port);
  }

  /** Stops listening, drops idle connections and backend agents. */
  async close(): Promise<void> {
    const tls = this.tlsServer;
    const tlsClosed = tls ? new Promise<void>((resolve) => tls.close(() => resolve())) : Promise.resolve();
    tls?.closeAllConnections();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const t of this.tunnels) t.destroy();
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    await Promise.all([closed, tlsClosed]);
  }

  /** Drops agents of endpoints no longer in any backend (called after a table or endpoints change). */
  pruneAgents(live: Set<string>): void {
    for (const [k, a] of this.agents) if (!live.has(k)) { a.destroy(); this.agents.delete(k); }
  }

  /** The route and ready targets for a request, or the status and body to answer with. */
  private route(req: IncomingMessage): { ok: true; m: RouteMatch; targets: Target[] } | { ok: false; code: number; body: string } {
    this.stats.requests++;
    const path = req.url ?? '/';
    const m = this.source.table().match(req.headers.host, path);
    if (!m) {
      if (path === '/healthz') return { ok: false, code: 200, body: 'ok\n' };
      this.stats.noRoute++;
      return { ok: false, code: 404, body: `default backend - 404: no ingress rule for host ${JSON.stringify(req.headers.host ?? '')} path ${JSON.stringify(path)}\n` };
    }
    const r = resolveBackend(m.backend, this.source.caches);
    if (!r.ok) {
      this.stats.unavailable++;
      log('warn', 'no backend', { host: req.headers.host, path, rule: m.rule, ingress: m.backend.ingress, reason: r.reason });
      return { ok: false, code: 503, body: `503 Service Unavailable: ${r.reason} (ingress ${m.backend.ingress}, rule ${m.rule})\n` };
    }
    return { ok: true, m, targets: r.targets };
  }

  /** Round robin: the targets in the order to try, starting after the last one used for this backend. */
  private order(m: RouteMatch, targets: Target[]): Target[] {
    const key = `${m.backend.namespace}/${m.backend.service}:${m.backend.port}`;
    const i = (this.next.get(key) ?? 0) % targets.length;
    this.next.set(key, i + 1);
    return [...targets.slice(i), ...targets.slice(0, i)];
  }

  /** A protocol switch (WebSocket): the backend's 101 and then raw bytes both ways. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const rt = this.route(req);
    if (!rt.ok) { socket.end(rawResponse(rt.code, rt.body)); return; }
    this.tunnels.add(socket);
    socket.on('close', () => this.tunnels.delete(socket));
    const [target] = this.order(rt.m, rt.targets);
    const up = request({ host: target.ip, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req, true), agent: false });
    up.on('upgrade', (upRes, upSocket, upHead) => {
      this.stats.proxied++;
      const lines = [`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}`];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.pipe(socket).pipe(upSocket);
      const close = () => { socket.destroy(); upSocket.destroy(); };
      upSocket.on('error', close); socket.on('error', close);
      upSocket.on('close', close); socket.on('close', close);
    });
    // The backend declined the switch: relay its plain answer.
    up.on('response', (upRes) => {
      let body = '';
      upRes.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => socket.end(rawResponse(upRes.statusCode ?? 502, body)));
    });
    up.on('error', (err) => {
      this.stats.badGateway++;
      socket.end(rawResponse(502, `502 Bad Gateway: endpoint ${target.ip}:${target.port} failed: ${err.message} (ingress ${rt.m.backend.ingress})\n`));
    });
    socket.on('error', () => up.destroy());
    up.end();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rt = this.route(req);
    if (!rt.ok) return reply(res, rt.code, rt.body);
    const { m } = rt;
    const order = this.order(m, rt.targets);
    // Retrying is safe only when nothing of the request has been consumed: no body to replay.
    const replayable = !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0';
    this.forward(req, res, replayable ? order : order.slice(0, 1), m.backend.ingress);
  }

  /** Sends to targets[0]; a refused or unreachable connect moves on to the next target (a pod that just died). */
  private forward(req: IncomingMessage, res: ServerResponse, targets: Target[], ingress: string): void {
    const [target, ...rest] = targets;
    const endpoint = `${target.ip}:${target.port}`;
    let agent = this.agents.get(endpoint);
    if (!agent) { agent = new Agent({ keepAlive: true, maxSockets: 256 }); this.agents.set(endpoint, agent); }
    const up = request({ host: target.ip, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req, false), agent }, (upRes) => {
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

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve((server.address() as AddressInfo).port); });
  });
}

/** The request's end-to-end headers plus X-Forwarded-*; `upgrade` keeps Connection/Upgrade for a protocol switch. */
function forwardedHeaders(req: IncomingMessage, upgrade: boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  if (upgrade) { headers.connection = 'Upgrade'; headers.upgrade = req.headers.upgrade ?? ''; }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-real-ip'] = client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  return headers;
}

/** A whole HTTP/1.1 response as bytes, for a socket that has left the HTTP server (upgrade). */
function rawResponse(code: number, body: string): string {
  return `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
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
