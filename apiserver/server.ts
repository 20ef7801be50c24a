/**
 * The apiserver process's wiring: one Registry behind the REST facade (HTTP) and the gRPC facade,
 * plus health and metrics. main.ts parses flags; this file only connects parts and owns listeners.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry, UserInfo } from './registry/types.js';
import { createRestHandler, createUpgradeHandler, type RestHandlerOptions } from './rest/handler.js';
import { createRestMetrics } from './rest/metrics.js';
import { serveOpenApi } from './openapi/handler.js';
import { logLine } from './rest/log.js';

/** What startApiServer needs. */
export interface ApiServerOptions {
  registry: Registry;
  bindAddress: string;
  /** HTTP port for the REST API (0 = any free port). */
  port: number;
  /** True when etcd answers. */
  healthy(): Promise<boolean>;
  authenticate?(req: IncomingMessage): UserInfo;
  authorize?: RestHandlerOptions['authorize'];
  /** Starts the gRPC facade (from apiserver/grpc/) and returns its port and a closer. */
  startGrpc?(): Promise<{ port: number; close(): Promise<void> }>;
}

/** A running apiserver. */
export interface RunningApiServer {
  httpPort: number;
  grpcPort?: number;
  http: Server;
  /** Stops accepting, ends open watches, waits for in-flight requests. */
  close(): Promise<void>;
}

/** Starts the HTTP REST listener (and gRPC when configured). */
export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const metrics = createRestMetrics();
  const shutdown = new AbortController();
  const restOptions: RestHandlerOptions = {
    registry: opts.registry,
    authenticate: opts.authenticate,
    authorize: opts.authorize,
    healthy: opts.healthy,
    metrics: metrics.metrics,
    openapi: (req, res, path) => serveOpenApi(opts.registry, req, res, path),
    observe: metrics.observe,
    shutdown: shutdown.signal,
  };
  const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, createRestHandler(restOptions));
  // exec/attach/portforward are HTTP upgrades (WebSocket): tunnelled to the pod's kubelet.
  http.on('upgrade', createUpgradeHandler(restOptions));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.bindAddress, () => { http.off('error', reject); resolve(); });
  });
  const httpPort = (http.address() as AddressInfo).port;
  let grpc: { port: number; close(): Promise<void> } | undefined;
  try {
    grpc = await opts.startGrpc?.();
  } catch (err) {
    http.close();
    throw err;
  }
  logLine('info', 'apiserver listening', { http: `${opts.bindAddress}:${httpPort}`, grpc: grpc ? `${opts.bindAddress}:${grpc.port}` : undefined });
  return {
    httpPort,
    grpcPort: grpc?.port,
    http,
    async close() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      shutdown.abort();
      http.closeIdleConnections();
      // A client that keeps a finished connection open must not hold shutdown forever.
      const cut = setTimeout(() => http.closeAllConnections(), 5000);
      await Promise.all([closed, grpc?.close()]);
      clearTimeout(cut);
      metrics.registry.clear();
    },
  };
}
