#!/usr/bin/env node
/**
 * kube-proxy for kubesim (userspace mode). Flags use kube-proxy's names; wiring only: informers on
 * Services and Endpoints feed the Proxier's change trackers, /healthz and /metrics are served,
 * SIGTERM stops (the service addresses stay so a restart rebuilds from them; --cleanup removes them).
 */
import { Command } from 'commander';
import type { Endpoints, Service } from '../lib/api/types.js';
import { addClientFlags, clientFromFlags } from '../lib/client/flags.js';
import { InformerFactory } from '../lib/client/informer.js';
import { R } from '../lib/client/resources.js';
import { parseDurationMs } from '../lib/duration.js';
import { log } from './log.js';
import { nodeAddressesIn, parseCIDRs } from './node-addresses.js';
import { Proxier } from './proxier.js';
import { ServiceIPInterface } from './service-ip-interface.js';
import { native, nativeUnavailableReason } from './native/index.js';
import { parseHostPort, startStatusServer } from './status-server.js';
import { hostname } from 'node:os';

process.env.KUBESIM_COMPONENT ??= 'kube-proxy';

const program = addClientFlags(new Command('kube-proxy'))
  .description('kubesim kube-proxy (userspace mode): service addresses on kube-ipvs0, TCP/UDP proxying to ready endpoints')
  .option('--hostname-override <name>', 'this node\'s name (for traffic policy Local)')
  .option('--node-name <name>', 'same as --hostname-override')
  .option('--bind-address <ip>', 'address NodePorts listen on when --nodeport-addresses is not given', '0.0.0.0')
  .option('--nodeport-addresses <cidrs>', 'comma-separated CIDRs: NodePorts listen only on node addresses inside them')
  .option('--cluster-cidr <cidr>', 'the pod network (informational in userspace mode: no masquerading is needed)')
  .option('--healthz-bind-address <host:port>', '/healthz endpoint', '0.0.0.0:10256')
  .option('--metrics-bind-address <host:port>', '/metrics endpoint', '127.0.0.1:10249')
  .option('--udp-timeout <duration>', 'idle time after which a UDP flow is closed', '250ms')
  .option('--cleanup', 'remove the service address interface and exit', false)
  .option('--v <level>', 'log verbosity (4+ = debug)', '0');

async function main(): Promise<void> {
  const o = program.parse(process.argv).opts();
  const v = Number(o.v);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--v: not a verbosity level: ${o.v}`);
  if (v >= 4) process.env.KUBESIM_LOG_LEVEL ??= 'debug';
  if (o.cleanup) { await new ServiceIPInterface().remove(); log('info', 'removed the service address interface'); return; }
  if (o.clusterCidr) parseCIDRs('--cluster-cidr', o.clusterCidr);
  const nodeName: string = o.hostnameOverride ?? o.nodeName ?? hostname();
  const nodePortAddresses = o.nodeportAddresses ? nodeAddressesIn(parseCIDRs('--nodeport-addresses', o.nodeportAddresses)) : [o.bindAddress as string];
  const healthz = parseHostPort('--healthz-bind-address', o.healthzBindAddress);
  const metricsAddr = parseHostPort('--metrics-bind-address', o.metricsBindAddress);
  const udpIdleTimeoutMs = parseDurationMs(o.udpTimeout);

  const shutdown = new AbortController();
  const stop = (sig: string) => { if (!shutdown.signal.aborted) { log('info', 'shutting down', { signal: sig }); shutdown.abort(); } };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const proxier = new Proxier({ nodeName, nodePortAddresses, udpIdleTimeoutMs });
  let started = false;
  const health = () => ({ ok: started, body: { lastUpdated: new Date().toISOString(), currentTime: new Date().toISOString(), nodeName } });
  // /connections (per service port counters as JSON) is read-only, so it is served on the healthz
  // address too: the dashboard reads it from the node's address like the health checks do.
  const json = { '/connections': async () => ({ nodeName, servicePorts: await proxier.metrics.connectionStats() }) };
  const servers = await Promise.all([
    startStatusServer(healthz.host, healthz.port, undefined, health, json),
    startStatusServer(metricsAddr.host, metricsAddr.port, proxier.metrics.registry, health, json),
  ]);
  log('info', 'serving /healthz, /connections and /metrics', { healthz: `${healthz.host}:${servers[0].port}`, metrics: `${metricsAddr.host}:${servers[1].port}` });

  const client = clientFromFlags(o);
  const factory = new InformerFactory(client);
  factory.informerFor<Service>(R.services).addEventHandler(proxier.onService);
  factory.informerFor<Endpoints>(R.endpoints).addEventHandler(proxier.onEndpoints);
  factory.start(shutdown.signal);
  if (await factory.waitForCacheSync(shutdown.signal)) {
    await proxier.start();
    started = true;
    log('info', 'kube-proxy started', { node: nodeName, nodePortAddresses: nodePortAddresses.join(','), servicePorts: Object.keys(proxier.snapshot()).length,
      tcpDataPlane: native ? 'native (epoll + splice)' : `node sockets (${nativeUnavailableReason})` });
  }
  await new Promise<void>((resolve) => {
    if (shutdown.signal.aborted) resolve(); else shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await proxier.stop();
  for (const s of servers) s.server.close();
  client.close();
}

main().then(() => process.exit(0), (err: Error) => {
  log('error', 'kube-proxy failed', { error: err.message });
  process.exit(1);
});
