/**
 * Health check node ports (Service `healthCheckNodePort`, LoadBalancer with externalTrafficPolicy
 * Local): an HTTP server per port answering 200 while this node has local endpoints for the
 * service and 503 when it has none, so an external load balancer sends traffic only to nodes
 * that can serve it locally (the body has Kubernetes' shape).
 */
import { createServer, type Server } from 'node:http';
import { log } from './log.js';

interface Entry { server?: Server; namespace: string; name: string; local: Map<string, number> }

/** One health server per healthCheckNodePort, fed per service port with its local endpoint count. */
export class ServiceHealthServers {
  private readonly byPort = new Map<number, Entry>();

  constructor(private readonly host = '0.0.0.0') {}

  /** Sets (count ≥ 0) or clears (undefined) the local endpoints a service port contributes on `port`. */
  update(port: number, namespace: string, name: string, portKey: string, count: number | undefined): void {
    let e = this.byPort.get(port);
    if (count === undefined) {
      if (!e) return;
      e.local.delete(portKey);
      if (!e.local.size) { e.server?.close(); this.byPort.delete(port); }
      return;
    }
    if (!e) {
      e = { namespace, name, local: new Map() };
      this.byPort.set(port, e);
      this.listen(port, e);
    }
    e.local.set(portKey, count);
  }

  private listen(port: number, e: Entry): void {
    const server = createServer((_req, res) => {
      const local = Math.max(0, ...e.local.values());
      res.writeHead(local > 0 ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' })
        .end(JSON.stringify({ service: { namespace: e.namespace, name: e.name }, localEndpoints: local, serviceProxyHealthy: true }));
    });
    server.on('error', (err) => log('error', 'cannot serve health check node port', { port, service: `${e.namespace}/${e.name}`, error: err.message }));
    server.listen(port, this.host);
    e.server = server;
  }

  /** Closes every server. */
  close(): void {
    for (const e of this.byPort.values()) e.server?.close();
    this.byPort.clear();
  }
}
