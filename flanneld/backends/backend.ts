/**
 * flannel's plugin system in two small interfaces: a BackendFactory (registered by name)
 * prepares the node before its lease exists (devices, the data it publishes in the lease);
 * the Backend then follows the other nodes' leases and programs the overlay.
 */
import type { BackendConfig, NetworkConfig } from '../subnet/config.js';
import type { IPv4Net } from '../subnet/cidr.js';
import type { LeaseListener } from '../subnet/manager.js';
import type { TunnelStats } from '../datapath/stats.js';
import type { Chaos } from '../datapath/chaos.js';

/** What every backend gets from flanneld. */
export interface BackendContext {
  /** Network namespace to work in (name or path; '' = flanneld's own). */
  netns: string;
  /** Underlay link and this node's address on it. */
  iface: string;
  publicIp: string;
  /** The underlay link's MTU. */
  ifaceMtu: number;
  network: NetworkConfig;
  backend: BackendConfig;
}

/** A running backend. */
export interface Backend extends LeaseListener {
  /** Backend name as written in leases (`BackendType`). */
  readonly type: string;
  /** MTU for pod interfaces (FLANNEL_MTU). */
  readonly mtu: number;
  /** `BackendData` published in this node's lease (e.g. VNI and VtepMAC). */
  readonly backendData: Record<string, unknown>;
  /** Called once the node's subnet is known: addresses and local routes. */
  start(own: IPv4Net): Promise<void>;
  /** Userspace datapath counters and chaos hooks; undefined for kernel-only backends. */
  readonly stats?: TunnelStats;
  readonly chaos?: Chaos;
  /** Native IO counters of the userspace datapath. */
  ioStats?(): Record<string, Record<string, number> | undefined>;
  /** Forwarding entries the userspace datapath holds instead of the kernel FDB, as `bridge fdb` lines. */
  userspaceFdb?(): string[];
  /** Deletes what the backend created (devices, routes, neighbours). */
  close(): Promise<void>;
}

/** Creates a backend for a node. */
export type BackendFactory = (ctx: BackendContext) => Promise<Backend>;

const factories = new Map<string, BackendFactory>();

/** Registers a backend under a name (`udp`, `vxlan`, `host-gw`, ...). */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** The factory registered under name, or undefined. */
export function backendFactory(name: string): BackendFactory | undefined {
  return factories.get(name);
}

/** Names of the registered backends. */
export function backendNames(): string[] { return [...factories.keys()].sort(); }
