/**
 * One flanneld: reads the network config from etcd, creates the backend, leases a subnet,
 * writes subnet.env, then follows the other nodes' leases until the signal aborts, and
 * finally deletes its devices.
 */
import { installIpMasq, removeIpMasq } from './ip-masq.js';
import type { Server } from 'node:http';
import { Etcd3 } from 'etcd3';
import { etcdCredentials, type EtcdTlsFiles } from '../lib/etcd-tls.js';
import { ApiError } from '../lib/errors.js';
import { logger } from './log.js';
import { backendFactory, backendNames, type Backend } from './backends/backend.js';
import './backends/all.js';
import { SubnetManager } from './subnet/manager.js';
import { SubnetRegistry } from './subnet/registry.js';
import { writeSubnetEnv } from './subnet/subnet-env.js';
import { formatCidr } from './subnet/cidr.js';
import { defaultLink, firstAddress, linkWithAddress } from './net/ip.js';
import { native, netnsPath } from './tuntap/index.js';
import { startServer, type ServerState } from './server.js';
import { watchChaosKeys } from './chaos-watch.js';

const log = logger('flanneld');

/** flanneld's settings (flags of main.ts). */
export interface FlanneldOptions {
  etcdEndpoints: string[];
  etcdPrefix: string;
  /** CA and client certificate files for https etcd endpoints. */
  etcdTls?: EtcdTlsFiles;
  /** Network namespace holding the node's links ('' = the current one). */
  netns: string;
  iface?: string;
  publicIp?: string;
  subnetFile: string;
  /** Backend type instead of the one in the network config (labs, benchmarks). */
  backendOverride?: string;
  /** vxlan Mode instead of the config's: userspace or kernel. */
  vxlanMode?: string;
  /** Userspace offloads (TSO/GSO/GRO) instead of the config's Offload. */
  offload?: boolean;
  /** Busy-polling budget of the userspace fast path instead of the config's SpinMicros. */
  spinMicros?: number;
  /** The fast path's thread under SCHED_BATCH instead of the config's SchedBatch. */
  schedBatch?: boolean;
  ipMasq: boolean;
  /** Lease TTL in seconds (flannel: 24 h) and how long before its end it is renewed. */
  leaseTtl?: number;
  renewMarginSeconds?: number;
  resyncMs?: number;
  /** HTTP endpoint for /metrics, /healthz, /chaos; port undefined = none. */
  httpHost?: string;
  httpPort?: number;
  /** Called once the server listens (port 0 resolves to the real one). */
  onListening?: (port: number) => void;
}

async function resolveUnderlay(o: FlanneldOptions): Promise<{ iface: string; publicIp: string; mtu: number }> {
  let iface = o.iface;
  let publicIp = o.publicIp;
  if (!iface && publicIp) iface = await linkWithAddress(o.netns, publicIp);
  if (!iface) iface = await defaultLink(o.netns);
  if (!iface) throw new ApiError('Invalid', 'no underlay interface found: pass --iface or --public-ip');
  if (!publicIp) publicIp = await firstAddress(o.netns, iface);
  if (!publicIp) throw new ApiError('Invalid', `interface ${iface} has no IPv4 address: pass --public-ip`);
  const mtu = native.ifInfo(iface, netnsPath(o.netns)).mtu ?? 1500;
  return { iface, publicIp, mtu };
}

/** Runs flanneld until signal aborts; resolves after cleanup. */
export async function runFlanneld(o: FlanneldOptions, outer: AbortSignal): Promise<void> {
  // Stops on the caller's signal, or on our own when the node's subnet changed under us.
  const stop = new AbortController();
  const signal = AbortSignal.any([outer, stop.signal]);
  let fatal: Error | undefined;
  const client = new Etcd3({ hosts: o.etcdEndpoints, dialTimeout: 3000, ...etcdCredentials(o.etcdTls ?? {}) });
  const state: ServerState = { ready: false, netns: o.netns };
  let server: Server | undefined;
  let backend: Backend | undefined;
  let masqInstalled = false;
  try {
    if (o.httpPort !== undefined) {
      server = await startServer(state, o.httpHost ?? '127.0.0.1', o.httpPort);
      const addr = server.address();
      o.onListening?.(typeof addr === 'object' && addr ? addr.port : 0);
    }
    const registry = new SubnetRegistry(client, o.etcdPrefix);
    const manager = new SubnetManager({
      registry, subnetFile: o.subnetFile, ttlSeconds: o.leaseTtl, renewMarginSeconds: o.renewMarginSeconds, resyncMs: o.resyncMs,
      onSubnetChanged: (l) => {
        // Devices, subnet.env and every pod carry the old subnet: start over, as flannel does.
        fatal = new Error(`subnet lease lost and replaced by ${formatCidr(l.subnet)}: restart to re-address the node`);
        stop.abort();
      },
    });
    const config = await manager.loadConfig(signal);
    const type = o.backendOverride ?? config.backend.Type;
    const factory = backendFactory(type);
    if (!factory) throw new ApiError('Invalid', `unknown backend ${JSON.stringify(type)}: one of ${backendNames().join(', ')}`);
    const underlay = await resolveUnderlay(o);
    log.info('starting', { backend: type, iface: underlay.iface, publicIP: underlay.publicIp, network: formatCidr(config.network) });
    backend = await factory({
      netns: o.netns, iface: underlay.iface, publicIp: underlay.publicIp, ifaceMtu: underlay.mtu, network: config,
      backend: { ...config.backend, Type: type, ...(o.vxlanMode ? { Mode: o.vxlanMode } : {}), ...(o.offload !== undefined ? { Offload: o.offload } : {}),
        ...(o.spinMicros !== undefined ? { SpinMicros: o.spinMicros } : {}),
        ...(o.schedBatch !== undefined ? { SchedBatch: o.schedBatch } : {}) },
    });
    state.backend = backend;
    const own = await manager.acquire({ PublicIP: underlay.publicIp, BackendType: backend.type, BackendData: backend.backendData }, signal);
    await backend.start(own.subnet);
    await writeSubnetEnv(o.subnetFile, { network: config.network, subnet: own.subnet, mtu: backend.mtu, ipMasq: o.ipMasq });
    if (o.ipMasq) {
      await installIpMasq(formatCidr(config.network), o.netns);
      masqInstalled = true;
      log.info('ip-masq: pod traffic leaving the pod network is masqueraded', { network: formatCidr(config.network) });
    }
    state.ready = true;
    state.subnet = formatCidr(own.subnet);
    state.lease = { subnet: state.subnet, publicIP: underlay.publicIp, backend: backend.type, vtepMAC: backend.backendData.VtepMAC as string | undefined };
    log.info('ready', { subnet: state.subnet, subnetFile: o.subnetFile, mtu: backend.mtu });
    const chaos = backend.chaos;
    await Promise.all([
      manager.run(backend, signal),
      chaos ? watchChaosKeys(client, o.etcdPrefix, underlay.publicIp, chaos, signal) : undefined,
    ]);
    if (fatal) throw fatal;
  } finally {
    state.ready = false;
    await backend?.close().catch((err) => log.error('backend cleanup failed', { err }));
    if (masqInstalled) await removeIpMasq(o.netns);
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    client.close();
    log.info('stopped');
  }
}
