/**
 * The dashboard server: one ClusterHub (informers over gRPC) shared by every browser, the page's
 * HTTP API and the built front end on one port. `kubesim dashboard`, the addon's main.ts and the
 * tests all start it through startDashboard.
 */
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiClient, type ClientTls } from '../../lib/client/api-client.js';
import type { ChaosActions } from './chaos.js';
import { ClusterHub } from './hub.js';
import { clientLog as dashLog } from '../../lib/client/log.js';
import { watchNetwork } from './network.js';
import { watchConnections } from './connections.js';
import { tunnelExec } from './exec.js';
import { NodeAgents, type NodeAgentPorts } from './node-agents.js';
import { rejectUpgrade } from '../../apiserver/rest/kubelet-proxy.js';
import { ApiError } from '../../lib/errors.js';
import { handleApi, sendError } from './routes.js';
import { defaultWebRoot, serveStatic } from './static.js';

/** Options of startDashboard. */
export interface DashboardOptions {
  /** apiserver gRPC target (host:port[,host:port]); used when `client` is not given. */
  grpcServer?: string;
  /** An existing client (e.g. the CLI's); the dashboard does not close it. */
  client?: ApiClient;
  /** apiserver REST base URL (for pods/log). */
  restURL: string;
  /** Bearer token for the apiserver (the dashboard's ServiceAccount token). */
  token?: string;
  /** TLS to the gRPC port (CA, and a client certificate to present). */
  tls?: ClientTls;
  /** Bind address (default 127.0.0.1) and port (default 0 = any free port). */
  host?: string;
  port?: number;
  /** Chaos actions for the buttons (none → no buttons). */
  chaos?: ChaosActions;
  /** Refuse every write (apply, scale, delete, chaos) with Forbidden: a look-only dashboard. */
  readOnly?: boolean;
  /** Folder of the built front end (default: dist/dashboard/web). */
  webRoot?: string;
  /** Node name → its flanneld /metrics URL, asked at every poll (none → no overlay rates). */
  flannelMetrics?: () => Record<string, string>;
  /** Read the overlay rates from every real node's flanneld at its Node address (the addon; ignored with flannelMetrics). */
  flannelMetricsFromNodes?: boolean;
  /** Ports of flanneld and kube-proxy on the nodes (trace, connections; defaults 8471 and 10256). */
  nodeAgentPorts?: NodeAgentPorts;
  /** Coalescing window of watch changes sent to browsers (default 50 ms). */
  flushMs?: number;
}

/** A running dashboard. */
export interface RunningDashboard { url: string; port: number; hub: ClusterHub; close(): Promise<void> }

/** Starts the dashboard server; resolves once it listens (the hub syncs in the background). */
export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  if (!o.client && !o.grpcServer) throw new Error('startDashboard: grpcServer or client is required');
  const ownClient = !o.client;
  const client = o.client ?? ApiClient.connect(o.grpcServer!, { ...(o.token ? { metadata: { authorization: `Bearer ${o.token}` } } : {}), ...(o.tls ? { tls: o.tls } : {}) });
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // one listener per informer, watch and open stream
  const hub = new ClusterHub(client, { flushMs: o.flushMs });
  hub.start(ac.signal);
  const agents = new NodeAgents(hub, o.nodeAgentPorts, o.flannelMetrics);
  const metricsURLs = o.flannelMetrics ?? (o.flannelMetricsFromNodes ? () => Object.fromEntries(Object.entries(agents.flanneld()).map(([n, u]) => [n, `${u}/metrics`])) : undefined);
  if (metricsURLs) void watchNetwork(metricsURLs, (v) => hub.publishNetwork(v), ac.signal).catch((err) => dashLog('warn', 'network watch stopped', { error: (err as Error).message }));
  void watchConnections(() => agents.kubeProxyConnections(), (v) => hub.publishConnections(v), ac.signal).catch((err) => dashLog('warn', 'connections watch stopped', { error: (err as Error).message }));
  const webRoot = o.webRoot ?? defaultWebRoot();
  const deps = { client, hub, agents, rest: { restURL: o.restURL.replace(/\/$/, ''), token: o.token }, chaos: o.chaos ?? {}, signal: ac.signal, readOnly: o.readOnly };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    handleApi(deps, req, res, url)
      .then((handled) => { if (!handled) serveStatic(webRoot, url.pathname, req, res); })
      .catch((err) => {
        dashLog('warn', 'request failed', { method: req.method, path: url.pathname, error: (err as Error).message });
        sendError(res, err);
      });
  });
  // The exec terminal: a WebSocket upgrade, passed through to the apiserver (writes: only when asked).
  // Upgraded sockets leave the server's connection tracking: close() ends them itself.
  const terminals = new Set<Duplex>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    terminals.add(socket);
    socket.once('close', () => terminals.delete(socket));
    try {
      if (url.pathname !== '/api/exec') throw new ApiError('NotFound', `no upgrade on ${url.pathname}`);
      if (o.readOnly) throw new ApiError('Forbidden', 'this dashboard runs with --read-only: exec is off');
      tunnelExec(deps.rest, req, socket, head, url);
    } catch (err) {
      rejectUpgrade(socket, err instanceof ApiError ? err : new ApiError('BadRequest', (err as Error).message));
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolveListen());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}/`;
  dashLog('info', 'dashboard listening', { url, webRoot });
  return {
    url, port: addr.port, hub,
    async close() {
      ac.abort();
      for (const t of terminals) t.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (ownClient) client.close();
    },
  };
}

export type { ChaosActions, ChaosAction } from './chaos.js';
