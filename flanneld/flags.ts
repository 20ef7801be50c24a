/** flanneld's command line, flannel's flag names where they exist; every flag may also come from FLANNELD_<NAME> as in flannel. */
import { Command, InvalidArgumentError } from 'commander';
import type { FlanneldOptions } from './daemon.js';

/** Builds the commander program (exported for tests and `--help`). */
export function flanneldCommand(): Command {
  return new Command('flanneld')
    .option('--etcd-endpoints <urls>', 'comma-separated etcd endpoints', 'http://127.0.0.1:2379')
    .option('--etcd-cafile <file>', 'CA of the etcd servers\' certificates (https endpoints)')
    .option('--etcd-certfile <file>', 'client certificate presented to etcd')
    .option('--etcd-keyfile <file>', 'private key of --etcd-certfile')
    .option('--etcd-prefix <prefix>', 'etcd prefix of the network config and leases', '/coreos.com/network')
    .option('--iface <name|ip>', 'underlay interface, by name or address (default: the one with the default route, else the first one)')
    .option('--public-ip <ip>', 'this node\'s underlay address published in its lease (default: the interface\'s)')
    .option('--subnet-file <path>', 'where to write the subnet environment', '/run/flannel/subnet.env')
    .option('--subnet-lease-renew-margin <minutes>', 'renew the lease this long before it expires', (v) => Number(v), 60)
    .option('--subnet-lease-ttl <seconds>', 'kubesim: subnet lease TTL (flannel: 24 h)', (v) => Number(v), 24 * 3600)
    .option('--ip-masq', 'masquerade traffic from the pod network to outside it (nftables) and publish FLANNEL_IPMASQ=true', false)
    .option('--healthz-ip <ip>', 'address of the /healthz, /metrics and /chaos endpoint', '127.0.0.1')
    .option('--healthz-port <port>', 'port of the /healthz, /metrics and /chaos endpoint (0 = off, as flannel)', (v) => Number(v), 0)
    .option('--metrics-port <port>', 'kubesim: like --healthz-port but 0 = any free port (logged)', (v) => Number(v))
    .option('--backend <type>', 'kubesim: backend instead of the network config\'s (udp, vxlan, host-gw)')
    .option('--vxlan-mode <mode>', 'kubesim: vxlan datapath, userspace (TAP + TypeScript) or kernel')
    .option('--offload <on|off>', 'kubesim: userspace datapath with TSO/GSO/GRO offloads (default: the config\'s Offload, else on)')
    .option('--spin-micros <us>', 'kubesim: µs the native fast path keeps busy-polling after a batch, 0 = sleep at once (default: the config\'s SpinMicros, else 0)', spinMicros)
    .option('--sched-batch <on|off>', 'kubesim: the native fast path\'s thread runs under SCHED_BATCH (default: the config\'s SchedBatch, else on)')
    .option('--netns <name|path>', 'kubesim: network namespace of the node\'s links (default: the current one)', '');
}

function spinMicros(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 100_000) throw new InvalidArgumentError('must be an integer 0..100000 (microseconds)');
  return n;
}

/** on/off flag value (undefined = not given). */
function onOff(v: unknown): boolean | undefined {
  return v === undefined ? undefined : !['off', 'false', '0'].includes(String(v));
}

/** argv with FLANNELD_* environment variables added for flags not given on the command line. */
export function withEnvFlags(cmd: Command, argv: string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...argv];
  for (const opt of cmd.options) {
    const long = opt.long!;
    const name = `FLANNELD_${long.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
    const v = env[name];
    if (v === undefined || argv.some((a) => a === long || a.startsWith(`${long}=`))) continue;
    if (opt.required || opt.optional) out.push(long, v);
    else if (!['false', '0', ''].includes(v)) out.push(long);
  }
  return out;
}

/** Turns parsed flags into daemon options (IP given to --iface = look the link up by address). */
export function toOptions(o: Record<string, unknown>): FlanneldOptions {
  const iface = o.iface as string | undefined;
  const ifaceIsIp = !!iface && /^\d+\.\d+\.\d+\.\d+$/.test(iface);
  const port = (o.metricsPort ?? (o.healthzPort ? o.healthzPort : undefined)) as number | undefined;
  return {
    etcdEndpoints: String(o.etcdEndpoints).split(',').map((s) => s.trim()).filter(Boolean),
    etcdPrefix: String(o.etcdPrefix).replace(/\/$/, ''),
    etcdTls: { caFile: o.etcdCafile as string | undefined, certFile: o.etcdCertfile as string | undefined, keyFile: o.etcdKeyfile as string | undefined },
    netns: String(o.netns ?? ''),
    iface: ifaceIsIp ? undefined : iface,
    publicIp: (o.publicIp as string | undefined) ?? (ifaceIsIp ? iface : undefined),
    subnetFile: String(o.subnetFile),
    backendOverride: o.backend as string | undefined,
    vxlanMode: o.vxlanMode as string | undefined,
    offload: o.offload === undefined ? undefined : !['off', 'false', '0'].includes(String(o.offload)),
    spinMicros: o.spinMicros as number | undefined,
    schedBatch: onOff(o.schedBatch),
    ipMasq: !!o.ipMasq,
    leaseTtl: o.subnetLeaseTtl as number,
    renewMarginSeconds: (o.subnetLeaseRenewMargin as number) * 60,
    httpHost: String(o.healthzIp),
    httpPort: port !== undefined && port >= 0 ? port : undefined,
  };
}
