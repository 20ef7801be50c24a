#!/usr/bin/env node
/**
 * Cluster DNS for kubesim (runs as the kube-dns Deployment in kube-system). Wiring only: informers
 * on Services, Endpoints and Pods fill a ClusterStore; the server answers on UDP and TCP --port;
 * /health, /ready and /metrics on --health-port.
 */
import { parsePort } from '../lib/flags.js';
import { Command } from 'commander';
import type { Endpoints, Pod, Service } from '../lib/api/types.js';
import { addClientFlags, clientFromFlags } from '../lib/client/flags.js';
import { InformerFactory } from '../lib/client/informer.js';
import { R } from '../lib/client/resources.js';
import { startStatusServer } from '../kube-proxy/status-server.js';
import { ClusterStore } from './cluster-store.js';
import { log } from './log.js';
import { dnsMetrics } from './metrics.js';
import { DnsServer } from './server.js';

process.env.KUBESIM_COMPONENT ??= 'kube-dns';

const program = addClientFlags(new Command('kube-dns'))
  .description('kubesim cluster DNS: Service, Endpoints and Pod records in the cluster domain')
  .option('--cluster-domain <domain>', 'the cluster domain', 'cluster.local')
  .option('--port <port>', 'DNS port (UDP and TCP)', '53')
  .option('--bind-address <ip>', 'address to answer on', '0.0.0.0')
  .option('--upstream <host:port>', 'resolver for names outside the cluster domain (default: answer REFUSED)')
  .option('--health-port <port>', '/health, /ready and /metrics port (-1 = off)', '8080')
  .option('--v <level>', 'log verbosity (4+ = debug)', '0');


async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  if (Number(o.v) >= 4) process.env.KUBESIM_LOG_LEVEL ??= 'debug';
  const dnsPort = parsePort('--port', o.port);
  const healthPort = parsePort('--health-port', o.healthPort, -1);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(o.clusterDomain)) throw new Error(`--cluster-domain: not a domain name: ${o.clusterDomain}`);
  const shutdown = new AbortController();
  const stop = (sig: string) => { if (!shutdown.signal.aborted) { log('info', 'shutting down', { signal: sig }); shutdown.abort(); } };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const store = new ClusterStore();
  const server = new DnsServer({ store, domain: o.clusterDomain, host: o.bindAddress, port: dnsPort, upstream: o.upstream });
  const client = clientFromFlags(o);
  const factory = new InformerFactory(client);
  factory.informerFor<Service>(R.services).addEventHandler(store.onService);
  factory.informerFor<Endpoints>(R.endpoints).addEventHandler(store.onEndpoints);
  factory.informerFor<Pod>(R.pods).addEventHandler(store.onPod);
  factory.start(shutdown.signal);
  let synced = false;
  const status = healthPort >= 0
    ? await startStatusServer(o.bindAddress, healthPort, dnsMetrics(server, store), () => ({ ok: synced, body: { synced } }))
    : undefined;
  if (await factory.waitForCacheSync(shutdown.signal)) {
    // Answer only once the caches are full: an early NXDOMAIN would be cached by clients.
    await server.start();
    synced = true;
    log('info', 'serving DNS', { address: `${o.bindAddress}:${server.port}`, domain: o.clusterDomain, upstream: o.upstream ?? 'none (REFUSED)', status: status ? `${o.bindAddress}:${status.port}` : 'off' });
  }
  await new Promise<void>((resolve) => {
    if (shutdown.signal.aborted) resolve(); else shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  server.stop();
  status?.server.close();
  client.close();
}

main().then(() => process.exit(0), (err: Error) => {
  log('error', 'kube-dns failed', { error: err.message });
  process.exit(1);
});
