/**
 * The apiserver process's wiring: one Registry behind the REST facade (HTTP) and the gRPC facade,
 * plus health and metrics. main.ts parses flags; this file only connects parts and owns listeners.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry, UserInfo } from './registry/types.js';
import { createRestHandler, createUpgradeHandler, type RestHandlerOptions } from './rest/handler.js';
import { createRestMetrics } from './rest/metrics.js';
import { serveOpenApi } from './openapi/handler.js';
import { logLine, logV } from './rest/log.js';

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
  /** RBAC rules for SelfSubjectRulesReview (`kubectl auth can-i --list`). */
  rbac?: RestHandlerOptions['rbac'];
  /** The HTTPS listener (--secure-port): TLS material and its own authenticator. */
  secure?: SecureListenerOptions;
  /** Address of the plain HTTP listener (default bindAddress). */
  insecureBindAddress?: string;
  /** Starts the gRPC facade (from apiserver/grpc/) and returns its port and a closer. */
  startGrpc?(): Promise<{ port: number; close(): Promise<void>; address?: string; tls?: boolean }>;
}

/** The secure port: serving certificate, the CA client certificates must chain to, authn. */
export interface SecureListenerOptions {
  port: number;
  bindAddress?: string;
  cert: string;
  key: string;
  /** PEM of --client-ca-file; without it no client certificate is accepted. */
  clientCA?: string;
  authenticate(req: IncomingMessage): UserInfo;
}

/** A running apiserver. */
export interface RunningApiServer {
  httpPort: number;
  /** Port of the HTTPS listener when one was asked for. */
  securePort?: number;
  https?: Server;
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
    rbac: opts.rbac,
    healthy: opts.healthy,
    metrics: metrics.metrics,
    openapi: (req, res, path) => serveOpenApi(opts.registry, req, res, path),
    observe: metrics.observe,
    shutdown: shutdown.signal,
  };
  const http = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, createRestHandler(restOptions));
  // exec/attach/portforward are HTTP upgrades (WebSocket): tunnelled to the pod's kubelet.
  http.on('upgrade', createUpgradeHandler(restOptions));
  const insecureAddress = opts.insecureBindAddress ?? opts.bindAddress;
  await listen(http, opts.port, insecureAddress);
  const httpPort = (http.address() as AddressInfo).port;
  let https: Server | undefined;
  let grpc: { port: number; close(): Promise<void>; address?: string; tls?: boolean } | undefined;
  try {
    if (opts.secure) https = await startSecure(opts.secure, { ...restOptions, authenticate: opts.secure.authenticate }, opts.bindAddress);
    grpc = await opts.startGrpc?.();
  } catch (err) {
    http.close();
    https?.close();
    throw err;
  }
  const securePort = https ? (https.address() as AddressInfo).port : undefined;
  logLine('info', 'apiserver listening', { http: `${insecureAddress}:${httpPort}`, https: https ? `${opts.secure?.bindAddress ?? opts.bindAddress}:${securePort}` : undefined, grpc: grpc ? `${grpc.address ?? opts.bindAddress}:${grpc.port}${grpc.tls ? ' (TLS)' : ''}` : undefined });
  const servers = https ? [http, https] : [http];
  return {
    httpPort,
    securePort,
    https,
    grpcPort: grpc?.port,
    http,
    async close() {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      shutdown.abort();
      for (const s of servers) s.closeIdleConnections();
      // A client that keeps a finished connection open must not hold shutdown forever.
      const cut = setTimeout(() => { for (const s of servers) s.closeAllConnections(); }, 5000);
      await Promise.all([...closed, grpc?.close()]);
      clearTimeout(cut);
      metrics.registry.clear();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
}

async function startSecure(o: SecureListenerOptions, rest: RestHandlerOptions, defaultAddress: string): Promise<Server> {
  // Client certificates are requested, not required: token and anonymous callers use the same
  // port, and an untrusted certificate becomes a 401 from the authenticator, not a TLS failure.
  const https = createHttpsServer({
    cert: o.cert, key: o.key, ca: o.clientCA, requestCert: true, rejectUnauthorized: false,
    keepAliveTimeout: 65_000, requestTimeout: 0,
  }, createRestHandler(rest));
  https.on('upgrade', createUpgradeHandler(rest));
  // A failed handshake (scanner, wrong protocol) must not surface as an unhandled error.
  https.on('tlsClientError', (err) => logV(4, 'tls handshake failed', { err: err.message }));
  await listen(https, o.port, o.bindAddress ?? defaultAddress);
  return https;
}
