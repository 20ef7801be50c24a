#!/usr/bin/env node
/**
 * kubesim ingress controller (runs as a Deployment in kube-system, behind a NodePort/LoadBalancer
 * Service). Wiring only: ensures the IngressClass, runs the IngressController (informers, route
 * table, status) and the reverse proxy on --http-port, /healthz on --health-port.
 */
import { parsePort } from '../lib/flags.js';
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ApiClient } from '../lib/client/api-client.js';
import { addClientFlags, resolveApiServer, type ClientFlags } from '../lib/client/flags.js';
import { EventRecorder } from '../lib/client/event-recorder.js';
import { InformerFactory } from '../lib/client/informer.js';
import { startStatusServer } from '../kube-proxy/status-server.js';
import { IngressController } from './controller.js';
import { ensureIngressClass } from './ingress-class.js';
import { log } from './log.js';
import { ingressMetrics } from './metrics.js';
import { IngressProxy, liveEndpoints } from './proxy.js';

process.env.KUBESIM_COMPONENT ??= 'ingress-controller';

const program = addClientFlags(new Command('ingress-controller'))
  .description('kubesim ingress controller: routes HTTP by host and path to Services')
  .option('--ingress-class <name>', 'IngressClass this controller serves (created when missing)', 'kubesim')
  .option('--http-port <port>', 'port the proxy listens on', '80')
  .option('--https-port <port>', 'HTTPS port for Ingresses with spec.tls (-1 = off)', '443')
  .option('--health-port <port>', 'port of /healthz, /readyz and /metrics (-1 = off)', '10254')
  .option('--bind-address <ip>', 'address to listen on', '0.0.0.0')
  .option('--publish-service <ns/name>', "the controller's Service: its LoadBalancer addresses go into Ingress status")
  .option('--token-file <path>', 'bearer token file (default: the in-pod ServiceAccount token when present, else the kubeconfig token)')
  .option('--update-status <bool>', 'write status.loadBalancer on served Ingresses', 'true')
  .option('--v <level>', 'log verbosity (4+ = debug)', '0');


/** The in-pod ServiceAccount token, used when the apiserver checks credentials (RBAC on ingresses/status). */
const SA_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function connect(o: ClientFlags & { tokenFile?: string }): ApiClient {
  const { target, token: kcToken, tls } = resolveApiServer(o);
  const file = o.tokenFile ?? (existsSync(SA_TOKEN_PATH) ? SA_TOKEN_PATH : undefined);
  const token = file ? readFileSync(file, 'utf8').trim() : kcToken;
  return ApiClient.connect(target, { ...(token ? { metadata: { authorization: `Bearer ${token}` } } : {}), ...(tls ? { tls } : {}) });
}

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  if (Number(o.v) >= 4) process.env.KUBESIM_LOG_LEVEL ??= 'debug';
  const httpPort = parsePort('--http-port', o.httpPort);
  const healthPort = parsePort('--health-port', o.healthPort, -1);
  const httpsPort = parsePort('--https-port', o.httpsPort, -1);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.ingressClass)) throw new Error(`--ingress-class: not a DNS subdomain: ${o.ingressClass}`);
  if (o.publishService && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(o.publishService)) throw new Error(`--publish-service: expected namespace/name: ${o.publishService}`);
  const shutdown = new AbortController();
  const stop = (sig: string) => { if (!shutdown.signal.aborted) { log('info', 'shutting down', { signal: sig }); shutdown.abort(); } };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const client = connect(o);
  const controller = new IngressController(client, new InformerFactory(client), {
    className: o.ingressClass, publishService: o.publishService, updateStatus: o.updateStatus !== 'false',
    recorder: new EventRecorder(client, { component: 'ingress-controller' }),
  });
  const proxy = new IngressProxy({ table: () => controller.table(), caches: controller.caches });
  controller.onTable((t) => proxy.pruneAgents(liveEndpoints(t, controller.caches)));
  const status = healthPort >= 0
    ? await startStatusServer(o.bindAddress, healthPort, ingressMetrics(proxy.stats, () => controller.table()), () => ({ ok: controller.hasSynced(), body: { synced: controller.hasSynced() } }))
    : undefined;

  // The class is created before serving, so Ingresses naming it are accepted from the first request.
  for (;;) {
    try { await ensureIngressClass(client, o.ingressClass, shutdown.signal); break; } catch (err) {
      if (shutdown.signal.aborted) break;
      log('warn', 'ensuring IngressClass failed; retrying', { ingressclass: o.ingressClass, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const bound = await proxy.listen(o.bindAddress, httpPort);
  const boundTls = httpsPort >= 0 ? await proxy.listenTls(o.bindAddress, httpsPort, controller.tls) : undefined;
  log('info', 'serving HTTP', { address: `${o.bindAddress}:${bound}`, https: boundTls === undefined ? 'off' : `${o.bindAddress}:${boundTls}`, ingressclass: o.ingressClass, publishService: o.publishService ?? 'none (node addresses)' });
  await controller.run(shutdown.signal);
  await proxy.close();
  status?.server.close();
  client.close();
}

main().then(() => process.exit(0), (err: Error) => {
  log('error', 'ingress controller failed', { error: err.message });
  process.exit(1);
});
