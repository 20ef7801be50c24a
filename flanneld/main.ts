#!/usr/bin/env node
/** flanneld: one per node; leases a subnet from etcd and runs the pod overlay. Flags as flannel's where they exist. */
import { Command } from 'commander';
import { runFlanneld } from './daemon.js';
import { logger } from './log.js';

const log = logger('flanneld');

const program = new Command('flanneld')
  .option('--etcd-endpoints <urls>', 'comma-separated etcd endpoints', 'http://127.0.0.1:2379')
  .option('--etcd-prefix <prefix>', 'etcd prefix of the network config and leases', '/coreos.com/network')
  .option('--iface <name>', 'underlay interface (default: the one with the default route or the first one)')
  .option('--public-ip <ip>', 'this node\'s underlay address published in its lease')
  .option('--subnet-file <path>', 'where to write the subnet environment', '/run/flannel/subnet.env')
  .option('--backend <type>', 'backend instead of the network config\'s (udp, vxlan, host-gw)')
  .option('--vxlan-mode <mode>', 'vxlan datapath: userspace (TAP + TypeScript) or kernel')
  .option('--offload <on|off>', 'userspace datapath with TSO/GSO/GRO offloads (default: the config\'s Offload, else on)')
  .option('--netns <name|path>', 'network namespace of the node (default: the current one)', '')
  .option('--ip-masq', 'publish FLANNEL_IPMASQ=true (masquerade traffic leaving the overlay)', false)
  .option('--subnet-lease-ttl <seconds>', 'subnet lease TTL', (v) => Number(v), 24 * 3600)
  .option('--healthz-ip <ip>', 'address of the /healthz, /metrics and /chaos endpoint', '127.0.0.1')
  .option('--healthz-port <port>', 'port of the /healthz, /metrics and /chaos endpoint (0 = any, -1 = off)', (v) => Number(v), 8285)
  .option('--metrics-port <port>', 'alias of --healthz-port', (v) => Number(v));

program.parse();
const o = program.opts();
const ctl = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => { log.info('shutting down', { signal: sig }); ctl.abort(); });
}
const port = (o.metricsPort ?? o.healthzPort) as number;
runFlanneld({
  etcdEndpoints: String(o.etcdEndpoints).split(',').map((s) => s.trim()).filter(Boolean),
  etcdPrefix: String(o.etcdPrefix).replace(/\/$/, ''),
  netns: o.netns,
  iface: o.iface,
  publicIp: o.publicIp,
  subnetFile: o.subnetFile,
  backendOverride: o.backend,
  vxlanMode: o.vxlanMode,
  offload: o.offload === undefined ? undefined : !['off', 'false', '0'].includes(String(o.offload)),
  ipMasq: !!o.ipMasq,
  leaseTtl: o.subnetLeaseTtl,
  httpHost: o.healthzIp,
  httpPort: port >= 0 ? port : undefined,
  onListening: (p) => log.info('serving /healthz /metrics /chaos', { address: `${o.healthzIp}:${p}` }),
}, ctl.signal).then(() => process.exit(0), (err) => {
  if (ctl.signal.aborted) process.exit(0); // stopped while still waiting for etcd: not a failure
  log.error('fatal', { err });
  process.exit(1);
});
