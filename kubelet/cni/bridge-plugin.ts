/**
 * The default network plugin, following CNI conventions (ADD/DEL/CHECK, a JSON network
 * config, a CNI result): like flannel's CNI plugin delegating to `bridge` + `host-local`.
 * It reads the node subnet from flanneld's subnet.env, makes sure the node bridge (cni0)
 * exists with the subnet's first address, plugs a veth into it, gives the pod an address,
 * brings up lo and routes everything via the bridge.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { ApiError } from '../../lib/errors.js';
import { ipArgs, ipBatch, run, runOk } from '../runtime/run.js';
import { parseSubnetEnv, type SubnetEnv } from './subnet-env.js';
import { HostLocalIpam } from './ipam.js';
import { podnet } from '../netlink/index.js';

/** The plugin's network configuration (the JSON a CNI plugin gets on stdin). */
export interface BridgeNetConf {
  cniVersion?: string;
  name: string;
  type?: string;
  /** Node bridge name; default cni0. */
  bridge?: string;
  /** flanneld's subnet file; default /run/flannel/subnet.env. */
  subnetFile?: string;
  /** host-local state directory; default /var/lib/cni/networks. */
  dataDir?: string;
}

/** The CNI_* arguments of one invocation. */
export interface CniArgs {
  containerId: string;
  /** Path of the pod's network namespace; must be /run/netns/<name> (named namespaces). */
  netns: string;
  ifName: string;
  /** kubesim: the node namespace (ip -n) when the caller does not run inside it. */
  hostNetns?: string;
}

/** A CNI 1.0 result. */
export interface CniResult {
  cniVersion: string;
  interfaces: Array<{ name: string; sandbox?: string }>;
  ips: Array<{ address: string; gateway: string; interface: number }>;
  routes: Array<{ dst: string; gw?: string }>;
  dns: Record<string, never>;
}

/** Name of the node-side veth for a container: stable, unique per container, ≤ 15 chars. */
export function hostVethName(containerId: string): string {
  return `veth${createHash('sha256').update(containerId).digest('hex').slice(0, 8)}`;
}

function netnsName(path: string): string {
  if (!/^(\/var)?\/run\/netns\/[^/]+$/.test(path)) throw new ApiError('Invalid', `CNI_NETNS must be a named namespace under /run/netns, got ${JSON.stringify(path)}`);
  return basename(path);
}

function loadSubnet(conf: BridgeNetConf): SubnetEnv {
  const file = conf.subnetFile ?? '/run/flannel/subnet.env';
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) {
    throw new ApiError('Unavailable', `network plugin not ready: cannot read ${file} (is flanneld running?): ${(err as Error).message}`);
  }
  return parseSubnetEnv(text);
}

async function ensureBridge(hostNetns: string | undefined, bridge: string, sub: SubnetEnv): Promise<void> {
  const show = await run('ip', ipArgs(hostNetns, ['-o', 'addr', 'show', 'dev', bridge]));
  if (show.code !== 0) {
    const add = await run('ip', ipArgs(hostNetns, ['link', 'add', bridge, 'type', 'bridge']));
    // Another ADD running at the same time may have created it first.
    if (add.code !== 0 && !/File exists/.test(add.stderr)) throw new ApiError('Internal', `creating bridge ${bridge}: ${add.stderr.trim()}`);
  }
  if (!show.stdout.includes(` ${sub.gateway}/${sub.prefix} `)) {
    const addr = await run('ip', ipArgs(hostNetns, ['addr', 'add', `${sub.gateway}/${sub.prefix}`, 'dev', bridge]));
    if (addr.code !== 0 && !/File exists/.test(addr.stderr)) throw new ApiError('Internal', `addressing bridge ${bridge}: ${addr.stderr.trim()}`);
  }
  await runOk('ip', ipArgs(hostNetns, ['link', 'set', bridge, 'mtu', String(sub.mtu), 'up']));
}

// Bridges this process already set up (node netns/bridge/address): later ADDs skip two `ip` runs.
const readyBridges = new Set<string>();

/** CNI ADD: connects the namespace to the node bridge and returns its address. */
export async function cniAdd(conf: BridgeNetConf, args: CniArgs): Promise<CniResult> {
  const sub = loadSubnet(conf);
  const bridge = conf.bridge ?? 'cni0';
  const pod = netnsName(args.netns);
  const ipam = new HostLocalIpam(conf.dataDir ?? '/var/lib/cni/networks', conf.name, sub.gateway, sub.prefix);
  const bridgeKey = `${args.hostNetns ?? ''}/${bridge}/${sub.gateway}/${sub.prefix}/${sub.mtu}`;
  if (!readyBridges.has(bridgeKey)) { await ensureBridge(args.hostNetns, bridge, sub); readyBridges.add(bridgeKey); }
  const ip = ipam.allocate(args.containerId);
  const veth = hostVethName(args.containerId);
  // In-process over rtnetlink when the podnet addon is built, else one `ip -batch` per side.
  const plug = async () => {
    if (podnet) podnet.vethPlug({ hostNetns: args.hostNetns ? `/run/netns/${args.hostNetns}` : '', host: veth, peer: args.ifName, podNetns: args.netns, mtu: sub.mtu, bridge });
    else await ipBatch(args.hostNetns, [
      `link add ${veth} mtu ${sub.mtu} type veth peer name ${args.ifName} mtu ${sub.mtu} netns ${pod}`,
      `link set ${veth} master ${bridge} up`,
    ]);
  };
  try {
    try {
      await plug();
    } catch (err) {
      // The bridge may have been removed behind our back: set it up again and retry once.
      readyBridges.delete(bridgeKey);
      await run('ip', ipArgs(args.hostNetns, ['link', 'del', veth]));
      await ensureBridge(args.hostNetns, bridge, sub);
      readyBridges.add(bridgeKey);
      await plug().catch(() => { throw err; });
    }
    if (podnet) podnet.podIfUp({ netns: args.netns, ifName: args.ifName, address: ip, prefix: sub.prefix, gateway: sub.gateway });
    else await ipBatch(pod, [
      'link set lo up',
      `addr add ${ip}/${sub.prefix} dev ${args.ifName}`,
      `link set ${args.ifName} up`,
      `route add default via ${sub.gateway} dev ${args.ifName}`,
    ]);
  } catch (err) {
    ipam.release(args.containerId);
    await run('ip', ipArgs(args.hostNetns, ['link', 'del', veth]));
    throw err;
  }
  return {
    cniVersion: conf.cniVersion ?? '1.0.0',
    interfaces: [{ name: veth }, { name: args.ifName, sandbox: args.netns }],
    ips: [{ address: `${ip}/${sub.prefix}`, gateway: sub.gateway, interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: sub.gateway }],
    dns: {},
  };
}

/** CNI DEL: frees the address and the veth; succeeds when they are already gone. */
export async function cniDel(conf: BridgeNetConf, args: Omit<CniArgs, 'netns'> & { netns?: string }): Promise<void> {
  const sub = loadSubnet(conf);
  new HostLocalIpam(conf.dataDir ?? '/var/lib/cni/networks', conf.name, sub.gateway, sub.prefix).release(args.containerId);
  await run('ip', ipArgs(args.hostNetns, ['link', 'del', hostVethName(args.containerId)]));
}

/** CNI CHECK: throws when the pod's interface does not carry its allocated address. */
export async function cniCheck(conf: BridgeNetConf, args: CniArgs): Promise<void> {
  const sub = loadSubnet(conf);
  const ip = new HostLocalIpam(conf.dataDir ?? '/var/lib/cni/networks', conf.name, sub.gateway, sub.prefix).find(args.containerId);
  if (!ip) throw new ApiError('NotFound', `no address allocated for container ${args.containerId}`);
  const out = await runOk('ip', ['-n', netnsName(args.netns), '-o', 'addr', 'show', 'dev', args.ifName]);
  if (!out.includes(` ${ip}/${sub.prefix} `)) throw new ApiError('Internal', `${args.ifName} in ${args.netns} lacks ${ip}/${sub.prefix}`);
}
