/** The HTTP endpoint of kube-proxy (and cluster DNS): /healthz, /readyz, /livez (/health, /ready as CoreDNS) and /metrics. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Splits `host:port` (port 0 = any free port); rejects anything else with a clear message. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`${flag}: expected host:port, got ${JSON.stringify(value)}`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

/** Extra read-only JSON paths of a status server (path → body). */
export type JsonRoutes = Record<string, () => Promise<object>>;

/** Serves health (`healthy()` → 200 with its JSON, else 503), metrics from `registry` and `json` routes on host:port. */
export async function startStatusServer(host: string, port: number, registry: Registry | undefined, healthy: () => { ok: boolean; body: object }, json: JsonRoutes = {}): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (Object.hasOwn(json, path)) {
      json[path]().then(
        (body) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body)),
        (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String((err as Error).message)),
      );
      return;
    }
    if (['/healthz', '/readyz', '/livez', '/health', '/ready'].includes(path)) {
      const h = path === '/livez' ? { ok: true, body: {} } : healthy();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h.body));
      return;
    }
    if (path === '/metrics' && registry) {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String((err as Error).message)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
