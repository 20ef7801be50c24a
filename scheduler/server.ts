/** The scheduler's HTTP endpoint: /healthz (ok once the caches synced) and /metrics (Prometheus text). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Starts the endpoint on host:port (0 = any free port); `registry` is read per request (it changes on leadership). */
export async function startSchedulerServer(host: string, port: number, registry: () => Registry, ready: () => boolean): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      const ok = path === '/livez' || ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'informers not synced');
      return;
    }
    if (path === '/metrics') {
      const metrics = registry();
      metrics.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
        (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String((err as Error).message)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`404 page not found\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
